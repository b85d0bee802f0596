package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ImageFilterTest {
  @Test
  void creationTimes_compareAsTimes_whateverTheirForm() {
    // A whole second written without its fraction (Go's RFC3339Nano), and a time half a second
    // later: as text the first sorted after the second.
    assertTrue(ImageFilter.chronological("2026-01-02T03:04:05Z", "2026-01-02T03:04:05.5Z") < 0);
    assertTrue(ImageFilter.chronological("2026-01-02T03:04:05.5Z", "2026-01-02T03:04:05Z") > 0);
    // An offset: 04:00+01:00 is 03:00 UTC, before 03:30 UTC.
    assertTrue(ImageFilter.chronological("2026-01-02T04:00:00+01:00", "2026-01-02T03:30:00Z") < 0);
    assertTrue(ImageFilter.chronological("2026-01-02T03:04:05.123456789Z",
        "2026-01-02T03:04:05.123456789Z") == 0);
    // Not a time: compared as text, never an error.
    assertTrue(ImageFilter.chronological("garbage", "2026-01-02T03:04:05Z") > 0);
  }
}
