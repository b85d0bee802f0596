package dev.lamina.runner.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Instants as text, ISO 8601 in UTC, written here rather than by {@code Instant}: its first
 * {@code toString} builds every constant of java.time's formatter, several milliseconds of each
 * container start, which writes a few times into records. The years from 1970 to 9999 (every
 * clock's and process's) are written here; any other is left to {@code Instant}.
 */
public final class InstantText {
  /** 10000-01-01T00:00:00Z: from there on, years have five digits and a sign. */
  private static final long YEAR_10000 = 253402300800L;

  private InstantText() {}

  /**
   * {@code t} as {@link Instant#toString} writes it: the fraction in groups of three digits, none
   * at a whole second.
   */
  public static String of(Instant t) {
    if (!written(t)) {
      return t.toString();
    }
    StringBuilder b = dateTime(t);
    int nano = t.getNano();
    if (nano == 0) {
      b.setLength(b.length() - 1); // neither a fraction nor its point
    } else if (nano % 1_000_000 == 0) {
      digits(b, nano / 1_000_000, 3);
    } else if (nano % 1000 == 0) {
      digits(b, nano / 1000, 6);
    } else {
      digits(b, nano, 9);
    }
    return b.append('Z').toString();
  }

  /** {@code t} with exactly three digits of fraction, whole seconds too ({@code ...:11.000Z}). */
  public static String millis(Instant t) {
    if (!written(t)) {
      String s = t.truncatedTo(ChronoUnit.MILLIS).toString();
      return s.indexOf('.') < 0 ? s.substring(0, s.length() - 1) + ".000Z" : s;
    }
    StringBuilder b = dateTime(t);
    digits(b, t.getNano() / 1_000_000, 3);
    return b.append('Z').toString();
  }

  private static boolean written(Instant t) {
    return t.getEpochSecond() >= 0 && t.getEpochSecond() < YEAR_10000;
  }

  /** {@code yyyy-mm-ddThh:mm:ss.} of {@code t}, from 1970 on. */
  private static StringBuilder dateTime(Instant t) {
    long seconds = t.getEpochSecond();
    long days = seconds / 86400;
    int ofDay = (int) (seconds % 86400);
    // The civil date of a count of days (the inverse of Howard Hinnant's days_from_civil), in
    // years that begin in March, so that a leap day is the last of its year.
    long z = days + 719468;
    long era = z / 146097;
    long ofEra = z - era * 146097;
    long yearOfEra = (ofEra - ofEra / 1460 + ofEra / 36524 - ofEra / 146096) / 365;
    long dayOfYear = ofEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    long shifted = (5 * dayOfYear + 2) / 153;
    long day = dayOfYear - (153 * shifted + 2) / 5 + 1;
    long month = shifted < 10 ? shifted + 3 : shifted - 9;
    long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
    StringBuilder b = new StringBuilder(30);
    digits(b, year, 4).append('-');
    digits(b, month, 2).append('-');
    digits(b, day, 2).append('T');
    digits(b, ofDay / 3600, 2).append(':');
    digits(b, ofDay / 60 % 60, 2).append(':');
    digits(b, ofDay % 60, 2);
    return b.append('.');
  }

  /** {@code value}, zero-padded to {@code width} digits. */
  private static StringBuilder digits(StringBuilder b, long value, int width) {
    String s = Long.toString(value);
    for (int i = s.length(); i < width; i++) {
      b.append('0');
    }
    return b.append(s);
  }
}
