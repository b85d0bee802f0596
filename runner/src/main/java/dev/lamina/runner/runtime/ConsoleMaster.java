package dev.lamina.runner.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The master side of a container's pty, held by the process that waits for the container. It
 * stays open until the container has exited: closing it would hang up the container's session.
 */
final class ConsoleMaster implements AutoCloseable {
  private static final int POLL_MILLIS = 100;
  private static final int HUNG_UP_POLL_MILLIS = 5;
  private static final int BUFFER = 8192;

  private final ConsoleCalls calls = ConsoleCalls.get();
  private final int fd;
  private boolean hungUp;
  private Consumer<byte[]> tap = b -> {};

  /** Takes over {@code fd}, which {@link #close} closes. */
  ConsoleMaster(int fd) {
    this.fd = fd;
  }

  void resize(int rows, int columns) throws IOException {
    calls.setWindowSize(fd, rows, columns);
  }

  /** Types {@code data} on the terminal, as a keyboard would (attached clients' input). */
  synchronized void write(byte[] data) throws IOException {
    if (data.length == 0) {
      return;
    }
    long buffer = calls.memory.allocateMemory(data.length, false);
    try {
      calls.memory.putByteArray(buffer, data, 0, data.length);
      long done = 0;
      while (done < data.length) {
        long n = calls.write(fd, buffer + done, data.length - done);
        if (n < 0) {
          int errno = calls.errno();
          if (errno == ConsoleCalls.EINTR || errno == ConsoleCalls.EAGAIN) {
            continue;
          }
          throw calls.failure("write to the container's terminal");
        }
        done += n;
      }
    } finally {
      calls.memory.freeMemory(buffer);
    }
  }

  /**
   * Appends what the container writes to its terminal to {@code log}, as a terminal gives it
   * (CRLF line ends), and passes it to {@code tap}, until process {@code pid}, a child of this
   * process, has exited; then returns its exit code (128 + signal number when a signal killed
   * it).
   *
   * @throws InterruptedException if this thread is interrupted first; the process still runs
   */
  int copyUntilExit(long pid, OutputLog log, Consumer<byte[]> tap)
      throws IOException, InterruptedException {
    this.tap = tap;
    long buffer = calls.memory.allocateMemory(BUFFER, false);
    try (OutputLog out = log) {
      while (true) {
        int status = calls.waitpid(pid, ConsoleCalls.WNOHANG);
        if (status != -1) {
          drain(buffer, out);
          return exitCode(status);
        }
        if (hungUp) {
          // No one holds the terminal open any more: usually the process has just ended, and
          // its end is checked for at short intervals (a foreground run -t waits on it).
          Thread.sleep(HUNG_UP_POLL_MILLIS);
        } else if (calls.readable(fd, POLL_MILLIS)) {
          copyOnce(buffer, out);
        }
        if (Thread.interrupted()) {
          throw new InterruptedException("interrupted while the container runs");
        }
      }
    } finally {
      calls.memory.freeMemory(buffer);
    }
  }

  /** Copies what is left once the process has exited. */
  private void drain(long buffer, OutputLog out) throws IOException {
    while (!hungUp && calls.readable(fd, 0)) {
      if (!copyOnce(buffer, out)) {
        return;
      }
    }
  }

  /** One read(2) into {@code out}; false when nothing came (hang-up, or an interrupted call). */
  private boolean copyOnce(long buffer, OutputLog out) throws IOException {
    long n = calls.read(fd, buffer, BUFFER);
    if (n > 0) {
      byte[] bytes = new byte[(int) n];
      calls.memory.getByteArray(buffer, bytes, 0, bytes.length);
      out.write(bytes, 0, bytes.length); // never fails: the terminal is read on regardless
      tap.accept(bytes);
      return true;
    }
    int errno = n < 0 ? calls.errno() : 0;
    if (errno == ConsoleCalls.EINTR || errno == ConsoleCalls.EAGAIN) {
      return false;
    }
    // EIO (or end of file): every slave descriptor is closed.
    if (errno != 0 && errno != ConsoleCalls.EIO) {
      throw calls.failure("read of the container's terminal");
    }
    hungUp = true;
    return false;
  }

  /** A wait(2) status as a shell gives it: the exit status, or 128 + the killing signal. */
  static int exitCode(int status) {
    int signal = status & 0x7f;
    return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
  }

  @Override
  public void close() {
    calls.close(fd);
  }
}
