package dev.lamina.runner;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

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
    return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
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
