package dev.lamina.cli;

import java.util.Locale;

/** Docker's memory sizes: a number with an optional unit b, k, m or g (powers of 1024). */
final class ByteSizes {
  private ByteSizes() {}

  static long parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.endsWith("b") && t.length() > 1 && !Character.isDigit(t.charAt(t.length() - 2))) {
      t = t.substring(0, t.length() - 1); // "64mb" -> "64m"
    }
    long unit = 1;
    char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
    switch (last) {
      case 'b' -> t = t.substring(0, t.length() - 1);
      case 'k' -> unit = 1L << 10;
      case 'm' -> unit = 1L << 20;
      case 'g' -> unit = 1L << 30;
      default -> { }
    }
    if (unit != 1) {
      t = t.substring(0, t.length() - 1);
    }
    try {
      double v = Double.parseDouble(t);
      if (v < 0 || Double.isNaN(v) || Double.isInfinite(v)) {
        throw new NumberFormatException();
      }
      return (long) (v * unit);
    } catch (NumberFormatException e) {
      throw new UserException(
          "invalid size '" + text + "': want a number with an optional unit b, k, m or g",
          ExitCodes.USAGE);
    }
  }
}
