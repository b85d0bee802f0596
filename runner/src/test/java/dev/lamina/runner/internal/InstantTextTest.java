package dev.lamina.runner.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Instants written without java.time's formatter, as it writes them. */
class InstantTextTest {
  /** Edges of the calendar, and every width of fraction. */
  private static final List<String> EDGES = List.of(
      "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000000001Z", "1999-12-31T23:59:59.999Z",
      "2000-02-29T12:00:00.5Z", "2024-02-29T23:59:59.123456Z", "2100-02-28T00:00:01.000001Z",
      "2100-03-01T00:00:00Z", "2026-12-07T14:10:11.335123789Z", "9999-12-31T23:59:59.999999999Z",
      // Written by Instant itself: before 1970 and after 9999.
      "1969-12-31T23:59:59.9Z", "0001-01-01T00:00:00Z", "+10000-01-01T00:00:00Z");

  @Test
  void of_isInstantsOwn_andMillisHasThreeDigits_atTheEdgesAndAtRandom() {
    List<Instant> instants = new ArrayList<>();
    EDGES.forEach(e -> instants.add(Instant.parse(e)));
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      long second = Math.floorMod(random.nextLong(), 253402300800L);
      int nano = switch (i % 4) {
        case 0 -> 0;
        case 1 -> random.nextInt(1000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1000;
        default -> random.nextInt(1_000_000_000);
      };
      instants.add(Instant.ofEpochSecond(second, nano));
    }
    for (Instant t : instants) {
      assertEquals(t.toString(), InstantText.of(t));
      String s = t.truncatedTo(ChronoUnit.MILLIS).toString();
      assertEquals(s.indexOf('.') < 0 ? s.substring(0, s.length() - 1) + ".000Z" : s,
          InstantText.millis(t), t.toString());
    }
  }
}
