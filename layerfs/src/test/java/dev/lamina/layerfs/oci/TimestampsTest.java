package dev.lamina.layerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TimestampsTest {
  @ParameterizedTest
  @CsvSource({
    "2026-11-28T09:10:45.444440Z, 2026-11-28T09:10:45.44444Z",
    "2026-11-28T09:10:45.100Z, 2026-11-28T09:10:45.1Z",
    "2026-11-28T09:10:45.000000001Z, 2026-11-28T09:10:45.000000001Z",
    "2026-11-28T09:10:45Z, 2026-11-28T09:10:45Z",
    "1970-01-01T00:00:01Z, 1970-01-01T00:00:01Z",
  })
  void format_isGoRfc3339Nano(String in, String expected) {
    assertEquals(expected, Timestamps.format(Instant.parse(in)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2026-11-28T09:10:45Z",
        "2026-11-28T09:10:45.1Z",
        "2026-11-28T09:10:45.123456789Z",
        "2024-02-29T23:59:59.5Z",
        "1970-01-01T00:00:00Z",
        "1969-12-31T23:59:59.999Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "2026-11-28T09:10:45+01:00",
        "2026-11-28T00:10:45.25-05:30",
        "2026-11-28T09:10:45+18:00",
        "2026-11-28t09:10:45z",
        "2026-11-28T09:10:45.Z",
        "2026-11-28T09:10:45.1234567890Z",
        "2026-02-30T09:10:45Z",
        "2026-13-01T09:10:45Z",
        "2026-11-28T24:00:00Z",
        "2026-11-28T09:60:45Z",
        "2026-11-28T09:10:45",
        "2026-11-28T09:10:45+0100",
        "2026-11-28 09:10:45Z",
        "+12026-11-28T09:10:45Z",
        "",
        "garbage"
      })
  void parse_readsWhatInstantParseReads(String s) {
    Instant expected;
    try {
      expected = Instant.parse(s);
    } catch (DateTimeParseException e) {
      assertThrows(DateTimeParseException.class, () -> Timestamps.parse(s), s);
      return;
    }
    assertEquals(expected, Timestamps.parse(s), s);
  }

  @Test
  void parse_readsWhatGoAndJavaWrite() {
    Random random = new Random(7);
    for (int i = 0; i < 2000; i++) {
      Instant t = Instant.ofEpochSecond(random.nextInt(Integer.MAX_VALUE) * 2L - Integer.MAX_VALUE,
          random.nextInt(4) == 0 ? 0 : random.nextInt(1_000_000_000));
      assertEquals(t, Timestamps.parse(Timestamps.format(t)));
      assertEquals(t, Timestamps.parse(t.toString()));
      ZoneOffset zone = ZoneOffset.ofTotalSeconds((random.nextInt(37) - 18) * 1800);
      String offset = t.atOffset(zone).toString();
      assertEquals(t, Timestamps.parse(offset), offset);
    }
  }
}
