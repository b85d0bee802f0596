package dev.lamina.runner.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * Copies a child's stdout and stderr to this process's {@code System.out} and {@code System.err}
 * (unless it only keeps a log) and, when there is a log, appends both to it, byte for byte as
 * they arrive (the log interleaves the two streams in arrival order).
 *
 * <p>Each stream is read to its end whatever happens to where it goes: a log that cannot be
 * written (a full store) or an output that went away only stops receiving, so the child never
 * sees its pipe closed (and never dies of SIGPIPE) because of them.
 */
final class OutputTee {
  private final OutputLog log;
  private final List<Thread> pumps;

  private OutputTee(Process p, OutputLog log, boolean echo) {
    this.log = log;
    this.pumps =
        List.of(
            pump(p.getInputStream(), echo ? System.out : null, "stdout"),
            pump(p.getErrorStream(), echo ? System.err : null, "stderr"));
  }

  /**
   * Starts copying {@code p}'s output to {@code log} (may be null) and, with {@code echo}, to
   * this process's; {@link #finish} waits for the end of both streams.
   */
  static OutputTee start(Process p, OutputLog log, boolean echo) {
    return new OutputTee(p, log, echo);
  }

  private Thread pump(InputStream from, OutputStream to, String name) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[8192];
              OutputStream out = to;
              try (from) {
                int n;
                while ((n = from.read(buf)) > 0) {
                  if (out != null) {
                    try {
                      out.write(buf, 0, n);
                      out.flush();
                    } catch (IOException gone) {
                      out = null; // what reads it has gone: the log still gets the rest
                    }
                  }
                  if (log != null) {
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
      if (log != null) {
        log.close();
      }
    }
  }
}
