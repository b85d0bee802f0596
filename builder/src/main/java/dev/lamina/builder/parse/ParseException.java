package dev.lamina.builder.parse;

import java.util.ArrayList;
import java.util.List;

/**
 * A recipe cannot be parsed. The message is one line, {@code file:line: reason}; {@link
 * #describe()} adds the offending lines.
 */
public final class ParseException extends Exception {
  private static final long serialVersionUID = 1L;
  private static final int MAX_EXCERPT_LINES = 6;

  private final String file;
  private final SourceRange range;
  private final String reason;
  private final List<String> excerpt;

  private ParseException(String file, SourceRange range, String reason, List<String> excerpt) {
    super(file + ":" + range.startLine() + ": " + reason);
    this.file = file;
    this.range = range;
    this.reason = reason;
    this.excerpt = List.copyOf(excerpt);
  }

  /**
   * An error at {@code range} of {@code file}.
   *
   * @param sourceLines all lines of the recipe (without line endings); the excerpt is taken from
   *     them
   */
  public static ParseException at(
      String file, SourceRange range, String reason, List<String> sourceLines) {
    List<String> excerpt = new ArrayList<>();
    int last = Math.min(range.endLine(), range.startLine() + MAX_EXCERPT_LINES - 1);
    for (int line = range.startLine(); line <= last && line <= sourceLines.size(); line++) {
      excerpt.add(String.format("%4d | %s", line, sourceLines.get(line - 1)));
    }
    return new ParseException(file, range, reason, excerpt);
  }

  /** The recipe's name as given to the parser. */
  public String file() {
    return file;
  }

  /** The 1-based first line of the offending instruction. */
  public int line() {
    return range.startLine();
  }

  /** The lines of the offending instruction. */
  public SourceRange range() {
    return range;
  }

  /** The message without the location. */
  public String reason() {
    return reason;
  }

  /** The offending lines, each as {@code " 3 | text"}. */
  public List<String> excerpt() {
    return excerpt;
  }

  /** The message followed by the offending lines. */
  public String describe() {
    StringBuilder out = new StringBuilder(getMessage());
    for (String line : excerpt) {
      out.append('\n').append(line);
    }
    return out.toString();
  }
}
