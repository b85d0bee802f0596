package dev.lamina.layerfs.oci;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;

/**
 * Times in image configs, written exactly as Go's {@code time.RFC3339Nano} writes them (UTC, the
 * fraction with trailing zeros trimmed). Tools in Go (skopeo, containers/image) re-serialise
 * configs they convert; a time Java wrote with trailing zeros ({@code .444440Z}) would come back
 * as {@code .44444Z} and change the image id.
 */
public final class Timestamps {
  private Timestamps() {}

  /**
   * The instant an RFC 3339 time names, as {@link Instant#parse} reads it. The common form
   * ({@code 2026-01-02T03:04:05.123Z}, or with an offset {@code +01:00}) is read here by hand:
   * {@code Instant.parse} starts the JDK's formatter machinery, about 30 ms of CPU in a fresh
   * JVM, more than a listing of a hundred containers takes otherwise.
   *
   * @throws java.time.format.DateTimeParseException when it is no such time
   */
  public static Instant parse(String rfc3339) {
    Instant fast = parseCommon(rfc3339);
    return fast != null ? fast : Instant.parse(rfc3339);
  }

  /** {@code YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)}, else null. */
  private static Instant parseCommon(String s) {
    int n = s.length();
    if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
        || s.charAt(13) != ':' || s.charAt(16) != ':') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59
        || second < 0 || second > 59) {
      return null;
    }
    int i = 19;
    int nanos = 0;
    if (s.charAt(i) == '.') {
      int start = ++i;
      while (i < n && i - start < 9 && Character.isDigit(s.charAt(i))) {
        nanos = nanos * 10 + (s.charAt(i++) - '0');
      }
      if (i == start || (i < n && Character.isDigit(s.charAt(i)))) {
        return null;
      }
      for (int k = i - start; k < 9; k++) {
        nanos *= 10;
      }
    }
    int offset;
    if (i == n - 1 && s.charAt(i) == 'Z') {
      offset = 0;
    } else if (i == n - 6 && (s.charAt(i) == '+' || s.charAt(i) == '-') && s.charAt(i + 3) == ':') {
      int oh = digits(s, i + 1, 2);
      int om = digits(s, i + 4, 2);
      if (oh < 0 || oh > 18 || om < 0 || om > 59) {
        return null;
      }
      offset = (s.charAt(i) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
      return null;
    }
    long days;
    try {
      days = LocalDate.of(year, month, day).toEpochDay();
    } catch (DateTimeException e) {
      return null;
    }
    return Instant.ofEpochSecond(days * 86400 + hour * 3600 + minute * 60 + second - offset, nanos);
  }

  /** The {@code count} decimal digits at {@code from}, or -1. */
  private static int digits(String s, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** {@code 2026-01-02T03:04:05.12345Z}, {@code 2026-01-02T03:04:05Z}. */
  public static String format(Instant t) {
    String s = DateTimeFormatter.ISO_INSTANT.format(t);
    int dot = s.indexOf('.');
    if (dot < 0) {
      return s;
    }
    int end = s.length() - 1; // the 'Z'
    int last = end - 1;
    while (last > dot && s.charAt(last) == '0') {
      last--;
    }
    return last == dot ? s.substring(0, dot) + "Z" : s.substring(0, last + 1) + "Z";
  }
}
