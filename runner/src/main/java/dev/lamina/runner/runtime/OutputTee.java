package dev.lamina.runner.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Copies a child's stdout and stderr (or its stderr alone) to this process's {@code System.out}
 * and {@code System.err} (unless it only keeps a log) and, when there is a log, appends both to
 * it, byte for byte as they arrive (the log interleaves the two streams in arrival order).
 *
 * <p>Each stream is read to its end whatever happens to where it goes: a log that cannot be
 * written (a full store) or an output that went away only stops receiving, so the child never
 * sees its pipe closed (and never dies of SIGPIPE) because of them.
 *
 * <p>What arrives is held, in arrival order, until {@link #release} (the runtime has started the
 * container's process): until then the only writer is the runtime itself, and should the process
 * never start, what it wrote on stderr is its own report of why, which {@link #finish} can leave
 * out so that the caller reports it once, in its own words.
 */
final class OutputTee {
  private final OutputLog log;
  private final List<Thread> pumps = new ArrayList<>();
  private final List<Held> held = new ArrayList<>();
  private boolean released;

  /** Bytes read before the release, and whether they came from stderr. */
  private record Held(byte[] bytes, OutputStream to, boolean stderr) {}

  private OutputTee(Process p, boolean stdout, OutputLog log, boolean echo) {
    this.log = log;
    if (stdout) {
      pumps.add(pump(p.getInputStream(), echo ? System.out : null, false));
    }
    pumps.add(pump(p.getErrorStream(), echo ? System.err : null, true));
  }

  /**
   * Starts copying {@code p}'s stderr, and its stdout when {@code stdout} (else it goes elsewhere),
   * to {@code log} (may be null) and, with {@code echo}, to this process's, held until {@link
   * #release}; {@link #finish} waits for the end of the streams.
   */
  static OutputTee start(Process p, boolean stdout, OutputLog log, boolean echo) {
    return new OutputTee(p, stdout, log, echo);
  }

  private Thread pump(InputStream from, OutputStream to, boolean stderr) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[8192];
              OutputStream[] out = {to};
              try (from) {
                int n;
                while ((n = from.read(buf)) > 0) {
                  synchronized (this) {
                    if (!released) {
                      held.add(new Held(Arrays.copyOf(buf, n), out[0], stderr));
                      continue;
                    }
                    out[0] = copy(buf, n, out[0]);
                  }
                }
              } catch (IOException ignored) {
                // The stream closed under us: the container is gone.
              }
            },
            "lamina-tee-" + (stderr ? "stderr" : "stdout"));
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Writes {@code n} bytes to {@code out} and the log; returns null once {@code out} failed. */
  private OutputStream copy(byte[] buf, int n, OutputStream out) {
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
    return out;
  }

  /** The process has started: what was held goes out, in order, and the rest as it comes. */
  synchronized void release() {
    release(false);
  }

  private synchronized void release(boolean withoutStderr) {
    if (released) {
      return;
    }
    for (Held h : held) {
      if (!(withoutStderr && h.stderr())) {
        copy(h.bytes(), h.bytes().length, h.to());
      }
    }
    held.clear();
    released = true;
  }

  /**
   * Waits until the streams end, at most a moment after the container itself has ended (a
   * process that kept the pipe open past its container's end is not waited for), releases what is
   * still held (without what came on stderr when {@code neverStarted}: the runtime's own report of
   * a process it could not start), then closes the log.
   */
  void finish(boolean neverStarted) throws InterruptedException {
    try {
      for (Thread t : pumps) {
        t.join(2000);
      }
    } finally {
      release(neverStarted);
      if (log != null) {
        log.close();
      }
    }
  }
}
