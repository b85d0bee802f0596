package dev.lamina.runner.runtime;

import com.kenai.jffi.Function;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import dev.lamina.runner.internal.LibcFunctions;
import java.io.IOException;

/**
 * The libc calls a client of conmon's attach socket needs that Java lacks: Java's channels open
 * stream sockets only, and that socket is a packet socket ({@code SOCK_SEQPACKET}). Called
 * through jffi ({@link LibcFunctions}).
 */
final class SocketCalls {
  static final int AF_UNIX = 1;
  static final int SOCK_SEQPACKET = 5;
  static final int SOCK_CLOEXEC = 0x80000;
  static final int SHUT_WR = 1;
  static final int SHUT_RDWR = 2;
  static final int EINTR = 4;

  private static final SocketCalls INSTANCE = new SocketCalls();

  final MemoryIO memory = LibcFunctions.MEMORY;
  private final Invoker invoker = LibcFunctions.INVOKER;
  private final Function socket;
  private final Function connect;
  private final Function shutdown;
  private final Function read;
  private final Function write;
  private final Function close;

  private SocketCalls() {
    socket = LibcFunctions.function("socket", Type.SINT, Type.SINT, Type.SINT, Type.SINT);
    connect = LibcFunctions.function("connect", Type.SINT, Type.SINT, Type.POINTER, Type.UINT);
    shutdown = LibcFunctions.function("shutdown", Type.SINT, Type.SINT, Type.SINT);
    read = LibcFunctions.function("read", Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG);
    write = LibcFunctions.function("write", Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG);
    close = LibcFunctions.function("close", Type.SINT, Type.SINT);
  }

  static SocketCalls get() {
    return INSTANCE;
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
    return LibcFunctions.errno();
  }

  IOException failure(String call) {
    return LibcFunctions.failure(call);
  }
}
