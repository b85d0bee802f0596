package dev.lamina.cli;

import dev.lamina.layerfs.oci.Timestamps;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Sizes and ages as docker prints them (go-units HumanSize and HumanDuration). */
final class Humanize {
  private Humanize() {}

  private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};

  /** Decimal units with three significant digits: {@code 4.26MB}, {@code 512B}. */
  static String size(long bytes) {
    double v = bytes;
    int unit = 0;
    while (v >= 1000 && unit < UNITS.length - 1) {
      v /= 1000;
      unit++;
    }
    String num = String.format(Locale.ROOT, "%.3g", v);
    if (num.contains(".")) {
      num = num.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return num + UNITS[unit];
  }

  /** {@code 3 minutes ago}, {@code About an hour ago}, ... for an RFC 3339 time (or N/A). */
  static String ago(String rfc3339) {
    if (rfc3339 == null || rfc3339.isEmpty()) {
      return "N/A";
    }
    try {
      return ago(Timestamps.parse(rfc3339)) + " ago";
    } catch (DateTimeParseException e) {
      return rfc3339;
    }
  }

  /** Docker's HumanDuration of the time since {@code then}, without "ago". */
  static String ago(Instant then) {
    return duration(Duration.between(then, Instant.now()));
  }

  static String duration(Duration d) {
    long seconds = Math.max(0, d.getSeconds());
    if (seconds < 1) {
      return "Less than a second";
    } else if (seconds == 1) {
      return "1 second";
    } else if (seconds < 60) {
      return seconds + " seconds";
    }
    long minutes = seconds / 60;
    if (minutes == 1) {
      return "About a minute";
    } else if (minutes < 60) {
      return minutes + " minutes";
    }
    long hours = Math.round(seconds / 3600.0);
    if (hours == 1) {
      return "About an hour";
    } else if (hours < 48) {
      return hours + " hours";
    } else if (hours < 24 * 7 * 2) {
      return hours / 24 + " days";
    } else if (hours < 24 * 30 * 2) {
      return hours / 24 / 7 + " weeks";
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 / 30 + " months";
    }
    return hours / 24 / 365 + " years";
  }
}
