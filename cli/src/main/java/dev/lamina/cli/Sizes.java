package dev.lamina.cli;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as flags take them: {@code 1048576}, {@code 512k}, {@code 8MiB}, {@code 1G}. */
final class Sizes {
  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]?)(i?b?)");

  private Sizes() {}

  /** Parses a size; k, M and G are powers of 1024. */
  static long parse(String text) {
    Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new UserException("invalid size " + text + " (e.g. 8MiB, 512k, 1048576)",
          ExitCodes.USAGE);
    }
    long n = Long.parseLong(m.group(1));
    int shift = switch (m.group(2)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      default -> 0;
    };
    long bytes = n << shift;
    if (bytes <= 0 || bytes > Integer.MAX_VALUE - 16) {
      throw new UserException("size " + text + " must be between 1 byte and 2GiB",
          ExitCodes.USAGE);
    }
    return bytes;
  }
}
