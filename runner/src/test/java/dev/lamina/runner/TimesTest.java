package dev.lamina.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TimesTest {
  @Test
  void aWholeSecond_keepsItsFraction_soThatRecordsSortByTime() {
    String whole = Times.format(Instant.parse("2026-12-07T14:10:11Z"));
    String later = Times.format(Instant.parse("2026-12-07T14:10:11.335123Z"));
    String earlier = Times.format(Instant.parse("2026-12-07T14:10:10.999Z"));

    assertEquals("2026-12-07T14:10:11.000Z", whole);
    assertEquals("2026-12-07T14:10:11.335Z", later);
    assertTrue(earlier.compareTo(whole) < 0 && whole.compareTo(later) < 0,
        earlier + " < " + whole + " < " + later);
    assertEquals(Instant.parse("2026-12-07T14:10:11Z"), Instant.parse(whole));
  }
}
