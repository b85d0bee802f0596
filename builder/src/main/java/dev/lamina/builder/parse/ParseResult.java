package dev.lamina.builder.parse;

import java.util.List;

/**
 * A parsed recipe.
 *
 * @param name the recipe's name used in messages (usually its file name)
 * @param directives the parser directives found at the top
 * @param nodes the instructions in order
 * @param warnings tolerated problems (empty continuation lines)
 * @param lines the source lines without line endings, for error excerpts
 */
public record ParseResult(
    String name,
    Directives directives,
    List<Node> nodes,
    List<ParseWarning> warnings,
    List<String> lines) {
  public ParseResult {
    nodes = List.copyOf(nodes);
    warnings = List.copyOf(warnings);
    lines = List.copyOf(lines);
  }

  /** {@link Node#dump()} of every node, one per line: the golden-file form. */
  public String dump() {
    StringBuilder out = new StringBuilder();
    for (Node node : nodes) {
      out.append(node.dump()).append('\n');
    }
    return out.toString();
  }
}
