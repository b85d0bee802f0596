package dev.lamina.builder.parse;

import java.util.List;

/**
 * One instruction of a recipe as written, before its arguments are given meaning.
 *
 * @param keyword the instruction keyword in lower case ({@code run})
 * @param keywordAsWritten the keyword with its original casing ({@code Run})
 * @param flags the {@code --name[=value]} words between the keyword and the arguments, quotes
 *     removed
 * @param args the arguments as the instruction's line parser split them: one shell-form string, the
 *     elements of a JSON array, whitespace-separated words, or key/value pairs flattened ({@code k1
 *     v1 k2 v2}) for ENV and LABEL
 * @param json whether the arguments were a JSON array (exec form)
 * @param legacyKeyValue for ENV and LABEL: the legacy {@code KEY name value} form was used
 * @param heredocs the here-documents the instruction opened, in order
 * @param original the instruction text with continuations joined and comments removed
 * @param range the lines it spans
 * @param child for ONBUILD: the trigger instruction, else null
 * @param comments the comment lines just above the instruction
 */
public record Node(
    String keyword,
    String keywordAsWritten,
    List<String> flags,
    List<String> args,
    boolean json,
    boolean legacyKeyValue,
    List<Heredoc> heredocs,
    String original,
    SourceRange range,
    Node child,
    List<String> comments) {

  public Node {
    flags = List.copyOf(flags);
    args = List.copyOf(args);
    heredocs = List.copyOf(heredocs);
    comments = List.copyOf(comments);
  }

  Node withHeredocs(List<Heredoc> docs) {
    Node newChild = child == null ? null : child.withHeredocs(docs);
    return new Node(
        keyword,
        keywordAsWritten,
        flags,
        args,
        json,
        legacyKeyValue,
        docs,
        original,
        range,
        newChild,
        comments);
  }

  Node withRange(SourceRange newRange) {
    Node newChild = child == null ? null : child.withRange(newRange);
    return new Node(
        keyword,
        keywordAsWritten,
        flags,
        args,
        json,
        legacyKeyValue,
        heredocs,
        original,
        newRange,
        newChild,
        comments);
  }

  /**
   * A stable one-instruction text form used by golden tests and diagnostics, e.g. {@code 3-4 run
   * ["--mount=type=cache,target=/c"] "make"}; heredocs follow on indented lines.
   */
  public String dump() {
    StringBuilder out = new StringBuilder();
    if (range != null) {
      out.append(range).append(' ');
    }
    appendBody(out);
    for (Heredoc doc : heredocs) {
      out.append("\n  <<")
          .append(quote(doc.name()))
          .append(" fd=")
          .append(doc.fileDescriptor())
          .append(doc.expand() ? " expand" : " literal")
          .append(doc.chomp() ? " chomp" : "")
          .append(' ')
          .append(quote(doc.content()));
    }
    return out.toString();
  }

  private void appendBody(StringBuilder out) {
    out.append(keyword);
    if (!flags.isEmpty()) {
      out.append(" [");
      for (int i = 0; i < flags.size(); i++) {
        out.append(i == 0 ? "" : " ").append(quote(flags.get(i)));
      }
      out.append(']');
    }
    if (json) {
      out.append(" json");
    }
    if (legacyKeyValue) {
      out.append(" legacy");
    }
    for (String arg : args) {
      out.append(' ').append(quote(arg));
    }
    if (child != null) {
      out.append(" (");
      child.appendBody(out);
      out.append(')');
    }
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\x%02x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
