package dev.lamina.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Docker's memory sizes: a number with an optional unit b, k, m or g (powers of 1024). */
final class ByteSizes {
  private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([bkmg]?)b?");

  private ByteSizes() {}

  /**
   * Parses {@code 64m}, {@code 1.5g}, {@code 1048576}.
   *
   * @throws UserException (usage) for anything else
   */
  static long parse(String text) {
    Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new UserException(
          "invalid size '" + text + "': want a number with an optional unit b, k, m or g",
          ExitCodes.USAGE);
    }
    long unit =
        switch (m.group(2)) {
          case "k" -> 1L << 10;
          case "m" -> 1L << 20;
          case "g" -> 1L << 30;
          default -> 1;
        };
    return (long) (Double.parseDouble(m.group(1)) * unit);
  }
}
