package dev.lamina.cli;

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
