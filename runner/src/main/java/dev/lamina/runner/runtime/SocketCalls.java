package dev.lamina.runner.runtime;

import com.kenai.jffi.Function;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import dev.lamina.layerfs.posix.NativeFunctions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The libc calls a client of conmon's attach socket needs that Java lacks: Java's channels open
 * stream sockets only, and that socket is a packet socket ({@code SOCK_SEQPACKET}).
 *
 * <p>Called through jffi rather than a jnr-ffi interface, which would generate a class at run time
 * (tens of milliseconds in a cold JVM) for a few functions. Pointers and {@code size_t} are
 * passed as {@code long}s and native memory is managed by the callers: Linux on x86-64 and arm64
 * only, whose constants these are.
 */
final class SocketCalls {
  static final int AF_UNIX = 1;
  static final int SOCK_SEQPACKET = 5;
  static final int SOCK_CLOEXEC = 0x80000;
  static final int SHUT_WR = 1;
  static final int SHUT_RDWR = 2;
  static final int EINTR = 4;

  private static final SocketCalls INSTANCE = new SocketCalls();

  final MemoryIO memory = MemoryIO.getInstance();
  private final Invoker invoker = Invoker.getInstance();
  private final Function socket;
  private final Function connect;
  private final Function shutdown;
  private final Function read;
  private final Function write;
  private final Function close;
  private final Function strerror;

  private SocketCalls() {
    Library libc = NativeFunctions.libc();
    socket = function(libc, "socket", Type.SINT, Type.SINT, Type.SINT, Type.SINT);
    connect = function(libc, "connect", Type.SINT, Type.SINT, Type.POINTER, Type.UINT);
    shutdown = function(libc, "shutdown", Type.SINT, Type.SINT, Type.SINT);
    read = function(libc, "read", Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG);
    write = function(libc, "write", Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG);
    close = function(libc, "close", Type.SINT, Type.SINT);
    strerror = function(libc, "strerror", Type.POINTER, Type.SINT);
  }

  static SocketCalls get() {
    return INSTANCE;
  }

  private static Function function(Library library, String name, Type result, Type... params) {
    // errno is read right after the call
    return NativeFunctions.function(library, name, true, result, params);
  }

  int socket(int domain, int type, int protocol) throws IOException {
    int fd = (int) invoker.invokeLLLrL(socket, domain, type, protocol);
    if (fd < 0) {
      throw failure("socket");
    }
    return fd;
  }

  void connect(int fd, long address, int length) throws IOException {
    while ((int) invoker.invokeLLLrL(connect, fd, address, length) < 0) {
      if (errno() != EINTR) {
        throw failure("connect");
      }
    }
  }

  /** shutdown(2); a socket already shut or closed is no error. */
  void shutdown(int fd, int how) {
    invoker.invokeLLrL(shutdown, fd, how);
  }

  /** read(2): the raw result (errno on -1). */
  long read(int fd, long buffer, long count) {
    return invoker.invokeLLLrL(read, fd, buffer, count);
  }

  /** write(2): the raw result (errno on -1). */
  long write(int fd, long buffer, long count) {
    return invoker.invokeLLLrL(write, fd, buffer, count);
  }

  void close(int fd) {
    invoker.invokeLrL(close, fd);
  }

  int errno() {
    return LastError.getInstance().get();
  }

  IOException failure(String call) {
    int errno = errno();
    long message = invoker.invokeLrL(strerror, errno);
    String text =
        message == 0
            ? "errno " + errno
            : new String(memory.getZeroTerminatedByteArray(message), StandardCharsets.UTF_8);
    return new IOException(call + ": " + text + " (errno " + errno + ")");
  }
}
