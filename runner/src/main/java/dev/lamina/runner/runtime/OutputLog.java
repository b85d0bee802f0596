package dev.lamina.runner.runtime;

import java.io.Closeable;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The log a container's output is appended to while it runs. Its writes never fail: output the
 * file cannot take (a full store, an I/O error) is left out of the log and counted, the first
 * such failure is reported once, and the log goes on with the next output the file takes again
 * (when space returns). Whoever copies the container's output to a log must go on copying it
 * whatever the log does: the container's own stdout and stderr must never break (a closed pipe
 * kills it with SIGPIPE) because of Lamina's copy of them.
 */
public final class OutputLog implements Closeable {
  /** Told of the first write the log could not take. */
  @FunctionalInterface
  public interface FailureListener {
    void failed(Path log, IOException cause);
  }

  private final Path file;
  private final FailureListener listener;
  private final AtomicLong dropped = new AtomicLong();
  private FileOutputStream out;
  private boolean reported;
  private boolean closed;

  private OutputLog(Path file, FailureListener listener) {
    this.file = file;
    this.listener = listener;
  }

  /** A log appending to {@code file} (created if missing), telling {@code listener} of failure. */
  public static OutputLog appendingTo(Path file, FailureListener listener) {
    return new OutputLog(file, listener);
  }

  /** A log appending to {@code file} whose failures are only counted. */
  public static OutputLog appendingTo(Path file) {
    return new OutputLog(file, (log, cause) -> {});
  }

  /** The file this log appends to. */
  public Path file() {
    return file;
  }

  /**
   * Appends {@code len} bytes; never throws. Bytes the file does not take are counted in {@link
   * #droppedBytes()} (a write that fails part-way counts whole).
   */
  public synchronized void write(byte[] b, int off, int len) {
    if (closed || len == 0) {
      return;
    }
    try {
      if (out == null) {
        out = new FileOutputStream(file.toFile(), true);
      }
      out.write(b, off, len);
    } catch (IOException e) {
      dropped.addAndGet(len);
      if (!reported) {
        reported = true;
        try {
          listener.failed(file, e);
        } catch (RuntimeException ignored) {
          // A listener's failure must not reach the copying thread either.
        }
      }
    }
  }

  /** How many bytes of output were left out of the log so far. */
  public long droppedBytes() {
    return dropped.get();
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (out != null) {
      try {
        out.close();
      } catch (IOException ignored) {
        // Nothing is buffered: every write went straight to the file.
      }
      out = null;
    }
  }
}
