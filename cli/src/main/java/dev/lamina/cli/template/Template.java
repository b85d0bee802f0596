package dev.lamina.cli.template;

import java.util.List;
import java.util.Map;

/**
 * A parsed Go text/template, as docker's {@code --format} takes one: text and actions with
 * fields ({@code .A.B}), variables, pipelines, {@code if}/{@code else}, {@code with}, {@code
 * range}, and the functions of {@link Functions}. It is applied to plain values (maps, lists,
 * strings, numbers, booleans, null); a part of Go's language it lacks is refused when parsed, by
 * name.
 */
public final class Template {
  private final String text;
  private final List<Node> nodes;

  private Template(String text, List<Node> nodes) {
    this.text = text;
    this.nodes = nodes;
  }

  /**
   * Parses {@code text}.
   *
   * @throws TemplateException for a syntax error or what this engine lacks
   */
  public static Template parse(String text) {
    return new Template(text, Parser.parse(text));
  }

  public String text() {
    return text;
  }

  /**
   * This template applied to {@code data}, a map lookup of a missing key giving {@code <no
   * value>} (docker's inspect, over JSON).
   *
   * @throws TemplateException when applying it fails
   */
  public String apply(Object data) {
    return Evaluator.run(nodes, data, Evaluator.Mode.LENIENT);
  }

  /**
   * This template applied to a row with fixed fields: a field the row lacks is an error, as
   * docker's templates over its Go structs fail with "can't evaluate field".
   *
   * @throws TemplateException when applying it fails
   */
  public String applyToRow(Map<String, ?> row) {
    return Evaluator.run(nodes, row, Evaluator.Mode.STRICT);
  }

  /**
   * A table's header row: the template applied to {@code titles} (each field's column title), as
   * docker prints one: docker's functions give the title back unchanged, a field without a title
   * is empty, and an error ends the row without failing.
   */
  public String header(Map<String, String> titles) {
    return Evaluator.run(nodes, titles, Evaluator.Mode.HEADER);
  }
}
