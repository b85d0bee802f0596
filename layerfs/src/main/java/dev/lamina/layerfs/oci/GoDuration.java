package dev.lamina.layerfs.oci;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written as Go writes them: {@code 30s}, {@code 1m30s}, {@code 1.5h}, {@code 250ms}
 * (a HEALTHCHECK's and {@code --health-interval}'s).
 */
public final class GoDuration {
  private static final Pattern PART = Pattern.compile("(\\d*(?:\\.\\d*)?)(ns|us|µs|μs|ms|s|m|h)");
  private static final Map<String, Long> NANOS =
      Map.of(
          "ns", 1L,
          "us", 1_000L,
          "µs", 1_000L,
          "μs", 1_000L,
          "ms", 1_000_000L,
          "s", 1_000_000_000L,
          "m", 60_000_000_000L,
          "h", 3_600_000_000_000L);

  private GoDuration() {}

  /**
   * @throws IllegalArgumentException for anything Go's {@code time.ParseDuration} rejects
   */
  public static Duration parse(String text) {
    String s = text;
    boolean negative = false;
    if (s.startsWith("-") || s.startsWith("+")) {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException(invalid(text));
    }
    BigDecimal total = BigDecimal.ZERO;
    Matcher m = PART.matcher(s);
    int at = 0;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException(invalid(text));
      }
      String number = m.group(1);
      if (number.isEmpty() || number.equals(".")) {
        throw new IllegalArgumentException(invalid(text));
      }
      total = total.add(new BigDecimal(number).multiply(BigDecimal.valueOf(NANOS.get(m.group(2)))));
      at = m.end();
    }
    long nanos = total.longValue();
    return Duration.ofNanos(negative ? -nanos : nanos);
  }

  /** Go's own wording, which docker and BuildKit pass on. */
  private static String invalid(String value) {
    return "time: invalid duration \"" + value + "\"";
  }
}
