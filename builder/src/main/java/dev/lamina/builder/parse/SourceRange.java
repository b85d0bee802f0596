package dev.lamina.builder.parse;

/**
 * The lines of a recipe an instruction spans, 1-based and inclusive (a heredoc body and its
 * terminator belong to the instruction that opened it).
 */
public record SourceRange(int startLine, int endLine) {
  /**
   * @throws IllegalArgumentException if {@code startLine < 1} or {@code endLine < startLine}
   */
  public SourceRange {
    if (startLine < 1 || endLine < startLine) {
      throw new IllegalArgumentException("bad line range " + startLine + "-" + endLine);
    }
  }

  /** A range of one line. */
  public static SourceRange line(int line) {
    return new SourceRange(line, line);
  }

  @Override
  public String toString() {
    return startLine == endLine ? String.valueOf(startLine) : startLine + "-" + endLine;
  }
}
