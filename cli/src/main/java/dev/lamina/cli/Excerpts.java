package dev.lamina.cli;

import dev.lamina.layerfs.posix.FileNames;

/**
 * Keeps what is printed to a person readable when a message quotes the user's input whole (a
 * 1 MB {@code RUN} line, a huge argument): the middle of an over-long line is cut, so the start
 * (where the message says where it failed) and the end (what went wrong) stay.
 */
final class Excerpts {
  /** The longest line printed whole; a terminal's screenful. */
  static final int MAX_LINE = 1024;

  private static final int HEAD = 640;
  private static final int TAIL = 320;

  private Excerpts() {}

  /**
   * {@code text} as one printable line: control characters and the bytes of input that was not
   * UTF-8 (kept as U+DC80..U+DCFF escapes) shown as {@code \xNN}, and the middle of an over-long
   * line cut ({@link #shorten}).
   */
  static String line(String text) {
    return shorten(printable(text));
  }

  /** {@code text} with control characters and escaped non-UTF-8 bytes written as {@code \xNN}. */
  static String printable(String text) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int b = -1;
      if (c < 0x20 && c != '\t' || c == 0x7f) {
        b = c;
      } else if (FileNames.isRawByte(text, i)) {
        b = c & 0xff;
      }
      if (b >= 0 && out == null) {
        out = new StringBuilder(text.length() + 16).append(text, 0, i);
      }
      if (out != null) {
        if (b >= 0) {
          out.append(String.format("\\x%02x", b));
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? text : out.toString();
  }

  /** {@code line}, or its head and tail with how much was cut between them. */
  static String shorten(String line) {
    if (line.length() <= MAX_LINE) {
      return line;
    }
    int head = HEAD;
    int tail = line.length() - TAIL;
    // Never split a surrogate pair: half of one prints as '?'.
    if (Character.isHighSurrogate(line.charAt(head - 1))) {
      head--;
    }
    if (Character.isLowSurrogate(line.charAt(tail))) {
      tail++;
    }
    return line.substring(0, head)
        + " [... " + (tail - head) + " characters cut ...] "
        + line.substring(tail);
  }
}
