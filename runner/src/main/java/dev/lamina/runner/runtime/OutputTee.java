package dev.lamina.runner.runtime;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Copies a child's stdout and stderr to this process's {@code System.out} and {@code System.err}
 * and, when there is a log, appends both to it, byte for byte as they arrive (the log interleaves
 * the two streams in arrival order).
 */
final class OutputTee {
  private final OutputStream log;
  private final List<Thread> pumps;

  private OutputTee(Process p, Path logFile) throws IOException {
    this.log =
        logFile == null ? OutputStream.nullOutputStream() : new FileOutputStream(logFile.toFile(), true);
    this.pumps =
        List.of(
            pump(p.getInputStream(), System.out, "stdout"),
            pump(p.getErrorStream(), System.err, "stderr"));
  }

  /**
   * Starts copying {@code p}'s output ({@code logFile} may be null); {@link #finish} waits for the
   * end of both streams.
   */
  static OutputTee start(Process p, Path logFile) throws IOException {
    return new OutputTee(p, logFile);
  }

  private Thread pump(InputStream from, OutputStream to, String name) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[8192];
              try (from) {
                int n;
                while ((n = from.read(buf)) > 0) {
                  to.write(buf, 0, n);
                  to.flush();
                  synchronized (log) {
                    log.write(buf, 0, n);
                  }
                }
              } catch (IOException ignored) {
                // The stream closed under us: the container is gone.
              }
            },
            "lamina-tee-" + name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * Waits until both streams end, at most a moment after the container itself has ended (a
   * process that kept the pipe open past its container's end is not waited for), then closes the
   * log.
   */
  void finish() throws InterruptedException {
    try {
      for (Thread t : pumps) {
        t.join(2000);
      }
    } finally {
      try {
        synchronized (log) {
          log.close();
        }
      } catch (IOException ignored) {
        // Nothing more to write.
      }
    }
  }
}
