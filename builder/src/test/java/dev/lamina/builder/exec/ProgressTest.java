package dev.lamina.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ProgressTest {
  /** Seconds are written as {@code %.3f} and {@code %.1f} write them, halves rounded up. */
  @Test
  void fixed_writesSecondsAsFormatDoes() {
    long[] edges = {0, 1, 49_999_999, 50_000_000, 149_999_999, 150_000_000, 499_999, 500_000,
        999_499_999, 999_500_000, 999_999_999, 1_000_000_000, 9_950_000_000L, 59_999_500_000L,
        3_600_000_000_000L};
    Random random = new Random(3);
    for (int i = 0; i < edges.length + 2000; i++) {
      long nanos = i < edges.length ? edges[i] : (long) (random.nextDouble() * 1e11);
      for (int places : new int[] {1, 3}) {
        assertEquals(String.format(Locale.ROOT, "%." + places + "f", nanos / 1e9),
            Progress.fixed(nanos, places), nanos + " ns to " + places + " places");
      }
    }
  }
}
