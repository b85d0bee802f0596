package dev.lamina.layerfs.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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
}
