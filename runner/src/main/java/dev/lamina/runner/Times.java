package dev.lamina.runner;

import dev.lamina.runner.internal.InstantText;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/** The clock and the waits of the container classes. */
final class Times {
  /** How often a state that is about to change is read again. */
  static final Duration POLL = Duration.ofMillis(25);

  /**
   * Finer, for a terminal waiting to be attached: a foreground {@code run -t} waits on it before
   * its container starts, and a failed try costs only a file read.
   */
  static final Duration ATTACH_POLL = Duration.ofMillis(3);

  private Times() {}

  /** Now, as records keep it. */
  static String now() {
    return format(Instant.now());
  }

  /**
   * {@code t} as records keep it: RFC 3339 in UTC with exactly three digits of fraction, so that
   * records sort by time as strings ({@code ps} lists the newest first). Instant's own text leaves
   * the fraction out at a whole second, and {@code ...:11Z} sorted after {@code ...:11.335Z}.
   */
  static String format(Instant t) {
    return InstantText.millis(t);
  }

  /** {@code t} as {@link Instant#toString} writes it: what records keep of a process's start. */
  static String text(Instant t) {
    return InstantText.of(t);
  }

  static void sleep(Duration d) throws IOException {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
