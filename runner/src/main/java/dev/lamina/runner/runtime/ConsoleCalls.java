package dev.lamina.runner.runtime;

import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Function;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The few libc calls a detached terminal needs that Java lacks: a unix socket that receives a
 * file descriptor ({@code SCM_RIGHTS}), reads of a pty master, its window size, and waiting for a
 * process this one inherited as child subreaper.
 *
 * <p>Called through jffi rather than a jnr-ffi interface, which would generate a class at run time
 * (tens of milliseconds in a cold JVM) for a dozen functions. Pointers and {@code size_t} are
 * passed as {@code long}s and native memory is managed by the callers: Linux on x86-64 and arm64
 * only, whose constants these are.
 */
final class ConsoleCalls {
  static final int AF_UNIX = 1;
  static final int SOCK_STREAM = 1;
  static final int SOCK_CLOEXEC = 0x80000;
  static final int SOL_SOCKET = 1;
  static final int SCM_RIGHTS = 1;
  static final int MSG_CTRUNC = 0x8;
  static final int MSG_CMSG_CLOEXEC = 0x40000000;
  static final short POLLIN = 0x1;
  static final int WNOHANG = 1;
  static final int EINTR = 4;
  static final int EIO = 5;
  static final int EAGAIN = 11;
  private static final long TIOCSWINSZ = 0x5414;
  private static final int PR_SET_CHILD_SUBREAPER = 36;

  private static final ConsoleCalls INSTANCE = new ConsoleCalls();

  final MemoryIO memory = MemoryIO.getInstance();
  private final Invoker invoker = Invoker.getInstance();
  private final Function socket;
  private final Function bind;
  private final Function listen;
  private final Function accept4;
  private final Function poll;
  private final Function recvmsg;
  private final Function read;
  private final Function write;
  private final Function close;
  private final Function ioctl;
  private final Function prctl;
  private final Function waitpid;
  private final Function strerror;

  private ConsoleCalls() {
    Library libc = Library.getCachedInstance("libc.so.6", Library.LAZY | Library.LOCAL);
    if (libc == null) {
      throw new UnsatisfiedLinkError(Library.getLastError());
    }
    socket = function(libc, "socket", Type.SINT, Type.SINT, Type.SINT, Type.SINT);
    bind = function(libc, "bind", Type.SINT, Type.SINT, Type.POINTER, Type.UINT);
    listen = function(libc, "listen", Type.SINT, Type.SINT, Type.SINT);
    accept4 =
        function(libc, "accept4", Type.SINT, Type.SINT, Type.POINTER, Type.POINTER, Type.SINT);
    poll = function(libc, "poll", Type.SINT, Type.POINTER, Type.ULONG, Type.SINT);
    recvmsg = function(libc, "recvmsg", Type.SLONG, Type.SINT, Type.POINTER, Type.SINT);
    read = function(libc, "read", Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG);
    write = function(libc, "write", Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG);
    close = function(libc, "close", Type.SINT, Type.SINT);
    ioctl = function(libc, "ioctl", Type.SINT, Type.SINT, Type.ULONG, Type.POINTER);
    prctl =
        function(
            libc, "prctl", Type.SINT, Type.SINT, Type.ULONG, Type.ULONG, Type.ULONG, Type.ULONG);
    waitpid = function(libc, "waitpid", Type.SINT, Type.SINT, Type.POINTER, Type.SINT);
    strerror = function(libc, "strerror", Type.POINTER, Type.SINT);
  }

  static ConsoleCalls get() {
    return INSTANCE;
  }

  private static Function function(Library library, String name, Type result, Type... params) {
    long address = library.getSymbolAddress(name);
    if (address == 0) {
      throw new UnsatisfiedLinkError(name + ": " + Library.getLastError());
    }
    // saveErrno: errno is read right after the call, before the JVM can change it.
    return new Function(address, result, params, CallingConvention.DEFAULT, true);
  }

  int socket(int domain, int type, int protocol) throws IOException {
    return check("socket", (int) invoker.invokeLLLrL(socket, domain, type, protocol));
  }

  void bind(int fd, long address, int length) throws IOException {
    check("bind", (int) invoker.invokeLLLrL(bind, fd, address, length));
  }

  void listen(int fd, int backlog) throws IOException {
    check("listen", (int) invoker.invokeLLrL(listen, fd, backlog));
  }

  int accept(int fd) throws IOException {
    return check("accept4", (int) invoker.invokeLLLLrL(accept4, fd, 0, 0, SOCK_CLOEXEC));
  }

  /** Whether {@code fd} has input (or a hang-up) within {@code timeoutMillis}. */
  boolean readable(int fd, int timeoutMillis) throws IOException {
    long pfd = memory.allocateMemory(8, true);
    try {
      memory.putInt(pfd, fd);
      memory.putShort(pfd + 4, POLLIN);
      int n = (int) invoker.invokeLLLrL(poll, pfd, 1, timeoutMillis);
      if (n < 0) {
        if (errno() == EINTR) {
          return false;
        }
        throw failure("poll");
      }
      return n > 0;
    } finally {
      memory.freeMemory(pfd);
    }
  }

  /** recvmsg(2) with close-on-exec for received descriptors; the raw result (errno on -1). */
  long recvmsg(int fd, long msghdr) {
    return invoker.invokeLLLrL(recvmsg, fd, msghdr, MSG_CMSG_CLOEXEC);
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

  void setWindowSize(int fd, int rows, int columns) throws IOException {
    long ws = memory.allocateMemory(8, true);
    try {
      memory.putShort(ws, (short) rows);
      memory.putShort(ws + 2, (short) columns);
      check("ioctl(TIOCSWINSZ)", (int) invoker.invokeLLLrL(ioctl, fd, TIOCSWINSZ, ws));
    } finally {
      memory.freeMemory(ws);
    }
  }

  /**
   * Makes this process the child subreaper of its descendants: an orphan among them (the
   * container's first process, once {@code runc create} has exited) becomes its child.
   */
  void becomeSubreaper() throws IOException {
    int r = (int) invoker.invokeLLLLLrL(prctl, PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
    check("prctl(PR_SET_CHILD_SUBREAPER)", r);
  }

  /**
   * waitpid(2) on one child.
   *
   * @return its wait status, or -1 with {@code WNOHANG} while it runs
   */
  int waitpid(long pid, int options) throws IOException {
    long status = memory.allocateMemory(4, true);
    try {
      while (true) {
        int r = (int) invoker.invokeLLLrL(waitpid, pid, status, options);
        if (r == pid) {
          return memory.getInt(status);
        }
        if (r == 0) {
          return -1;
        }
        if (errno() != EINTR) {
          throw failure("waitpid(" + pid + ")");
        }
      }
    } finally {
      memory.freeMemory(status);
    }
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

  private int check(String call, int result) throws IOException {
    if (result < 0) {
      throw failure(call);
    }
    return result;
  }
}
