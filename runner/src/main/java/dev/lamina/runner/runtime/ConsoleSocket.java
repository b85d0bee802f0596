package dev.lamina.runner.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The unix socket a runtime sends a container's pty master to ({@code --console-socket}), as one
 * descriptor in an {@code SCM_RIGHTS} message. It lives in a directory of its own, created 0700,
 * so no other user can connect first and hand over a terminal of theirs; {@link #close} removes
 * both.
 */
final class ConsoleSocket implements AutoCloseable {
  /** {@code sizeof(sun_path)} on Linux, its terminating NUL included. */
  private static final int SUN_PATH = 108;
  /** Room for a few descriptors, so that a sender of more has them received (and closed). */
  private static final int CONTROL_BYTES = 256;
  private static final int DATA_BYTES = 4096;

  private final ConsoleCalls calls = ConsoleCalls.get();
  private final Path dir;
  private final Path path;
  private int fd = -1;

  private ConsoleSocket(Path dir) {
    this.dir = dir;
    this.path = dir.resolve("console.sock");
  }

  /** A new socket, listening, in a fresh private directory under the system's temporary one. */
  static ConsoleSocket open() throws IOException {
    Path dir =
        Files.createTempDirectory(
            "lamina-console-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    ConsoleSocket socket = new ConsoleSocket(dir);
    try {
      socket.listen();
      return socket;
    } catch (IOException | RuntimeException | LinkageError e) {
      socket.close();
      throw e;
    }
  }

  private void listen() throws IOException {
    byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
    if (name.length >= SUN_PATH) {
      throw new IOException("console socket path too long: " + path);
    }
    fd =
        calls.socket(
            ConsoleCalls.AF_UNIX, ConsoleCalls.SOCK_STREAM | ConsoleCalls.SOCK_CLOEXEC, 0);
    int length = 2 + SUN_PATH;
    long address = calls.memory.allocateMemory(length, true);
    try {
      calls.memory.putShort(address, (short) ConsoleCalls.AF_UNIX);
      calls.memory.putByteArray(address + 2, name, 0, name.length);
      calls.bind(fd, address, length);
    } finally {
      calls.memory.freeMemory(address);
    }
    calls.listen(fd, 1);
  }

  /** Where the runtime connects. */
  Path path() {
    return path;
  }

  /**
   * Accepts the runtime's connection, waiting at most {@code timeout}, and returns the descriptor
   * it sends (close-on-exec), which the caller closes.
   *
   * @throws IOException when nothing connects in time, or the connection brings no descriptor
   */
  int receiveDescriptor(Duration timeout) throws IOException {
    if (!calls.readable(fd, (int) timeout.toMillis())) {
      throw new IOException("the OCI runtime did not send the container's terminal");
    }
    int connection = calls.accept(fd);
    try {
      return receive(connection);
    } finally {
      calls.close(connection);
    }
  }

  /**
   * Reads messages until one carries descriptors: keeps the first, closes any others (a
   * well-behaved runtime sends exactly one).
   */
  private int receive(int connection) throws IOException {
    // struct msghdr (56 bytes) | struct iovec (16) | control buffer | data buffer
    long block = calls.memory.allocateMemory(56 + 16 + CONTROL_BYTES + DATA_BYTES, true);
    long msg = block;
    long iov = block + 56;
    long control = iov + 16;
    long data = control + CONTROL_BYTES;
    try {
      while (true) {
        calls.memory.setMemory(msg, 56, (byte) 0);
        calls.memory.putLong(iov, data);
        calls.memory.putLong(iov + 8, DATA_BYTES);
        calls.memory.putLong(msg + 16, iov); // msg_iov
        calls.memory.putLong(msg + 24, 1); // msg_iovlen
        calls.memory.putLong(msg + 32, control); // msg_control
        calls.memory.putLong(msg + 40, CONTROL_BYTES); // msg_controllen
        long n = calls.recvmsg(connection, msg);
        if (n < 0) {
          if (calls.errno() == ConsoleCalls.EINTR) {
            continue;
          }
          throw calls.failure("recvmsg");
        }
        List<Integer> fds = descriptors(control, calls.memory.getLong(msg + 40));
        boolean truncated = (calls.memory.getInt(msg + 48) & ConsoleCalls.MSG_CTRUNC) != 0;
        if (truncated) {
          fds.forEach(calls::close);
          throw new IOException("the OCI runtime sent more descriptors than expected");
        }
        if (!fds.isEmpty()) {
          fds.subList(1, fds.size()).forEach(calls::close);
          return fds.get(0);
        }
        if (n == 0) {
          throw new IOException("the OCI runtime closed the console socket without a terminal");
        }
      }
    } finally {
      calls.memory.freeMemory(block);
    }
  }

  /**
   * The descriptors of the {@code SCM_RIGHTS} messages among the {@code length} bytes of control
   * data at {@code control} ({@code struct cmsghdr}: a {@code size_t} length that counts its own
   * 16-byte header, level, type, then the data, each message aligned to 8 bytes).
   */
  private List<Integer> descriptors(long control, long length) {
    List<Integer> fds = new ArrayList<>();
    long offset = 0;
    while (offset + 16 <= length) {
      long cmsgLen = calls.memory.getLong(control + offset);
      if (cmsgLen < 16 || offset + cmsgLen > length) {
        break;
      }
      int level = calls.memory.getInt(control + offset + 8);
      int type = calls.memory.getInt(control + offset + 12);
      if (level == ConsoleCalls.SOL_SOCKET && type == ConsoleCalls.SCM_RIGHTS) {
        for (long i = 16; i + 4 <= cmsgLen; i += 4) {
          fds.add(calls.memory.getInt(control + offset + i));
        }
      }
      offset += (cmsgLen + 7) & ~7L;
    }
    return fds;
  }

  /** Stops listening and removes the socket and its directory. */
  @Override
  public void close() throws IOException {
    if (fd >= 0) {
      calls.close(fd);
      fd = -1;
    }
    Files.deleteIfExists(path);
    Files.deleteIfExists(dir);
  }
}
