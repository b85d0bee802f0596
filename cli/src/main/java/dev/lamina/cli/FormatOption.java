package dev.lamina.cli;

import dev.lamina.cli.template.TabWriter;
import dev.lamina.cli.template.Template;
import dev.lamina.cli.template.TemplateException;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --format} as docker's listing commands take it: {@code table} (the command's own table,
 * the default), {@code json}, a Go template printed once per row ({@code {{.ID}}: {{.Names}}}),
 * or {@code table TEMPLATE}, which adds a header row and aligns the tab-separated columns. As in
 * docker, {@code \t} and {@code \n} in the template's text are a tab and a new line.
 */
final class FormatOption {
  private static final String TABLE = "table";

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "table (default), json, a Go template ('{{.Name}}', '{{json .}}'),"
          + " or 'table TEMPLATE' for aligned columns with a header.",
      defaultValue = TABLE)
  String format;

  /** Whether the rows are wanted as JSON. */
  boolean json() {
    return "json".equals(format.strip());
  }

  /** Whether the command's own table is wanted ({@code table}, or no --format). */
  boolean defaultTable() {
    return format.strip().equals(TABLE);
  }

  /**
   * Prints {@code rows} by the template, if the format is one; returns false for {@code table} or
   * {@code json}, which the command prints itself. {@code titles} name the columns of a {@code
   * table} template's header (a field without one gets its name split into upper-case words).
   *
   * @throws UserException when the template cannot be parsed or applied
   */
  boolean printed(List<? extends Map<String, ?>> rows, Map<String, String> titles) {
    if (json() || defaultTable()) {
      return false;
    }
    Output.out().print(render(format, rows, titles));
    Output.out().flush();
    return true;
  }

  /** What {@code format} prints for {@code rows} (a template, or "table" and a template). */
  static String render(String format, List<? extends Map<String, ?>> rows,
      Map<String, String> titles) {
    String f = format.strip();
    boolean table = f.startsWith(TABLE);
    Template t = parse(format, dockerEscapes(table ? f.substring(TABLE.length()).strip() : f));
    StringBuilder out = new StringBuilder();
    if (table && !rows.isEmpty()) {
      out.append(t.header(ColumnTitles.of(rows.get(0).keySet(), titles))).append('\n');
    } else if (table) {
      out.append(t.header(titles)).append('\n');
    }
    for (Map<String, ?> row : rows) {
      try {
        out.append(t.applyToRow(row)).append('\n');
      } catch (TemplateException e) {
        throw invalid(format, e);
      }
    }
    return table ? TabWriter.align(out.toString()) : out.toString();
  }

  /**
   * Prints each of {@code objects} (as inspect shows them) by the template {@code format}, a line
   * each, as {@code docker inspect -f} does: a missing key is {@code <no value>}.
   */
  static void printEach(String format, List<?> objects) {
    Template t = parse(format, format);
    StringBuilder out = new StringBuilder();
    for (Object o : objects) {
      try {
        out.append(t.apply(dev.lamina.layerfs.oci.Json.mapper().convertValue(o, Object.class)))
            .append('\n');
      } catch (TemplateException e) {
        throw invalid(format, e);
      }
    }
    Output.out().print(out);
    Output.out().flush();
  }

  /** {@code template} parsed for the option's value {@code format}. */
  static Template parse(String format, String template) {
    try {
      return Template.parse(template);
    } catch (TemplateException e) {
      throw invalid(format, e);
    }
  }

  static UserException invalid(String format, TemplateException e) {
    return new UserException("invalid --format " + format + ": " + e.getMessage());
  }

  /**
   * Docker reads the two characters {@code \t} and {@code \n} in a format as a tab and a new line
   * (so a shell user can write them in single quotes); here only in its text, outside actions,
   * where a quoted string has Go's own escapes.
   */
  static String dockerEscapes(String template) {
    StringBuilder sb = new StringBuilder();
    int at = 0;
    while (at < template.length()) {
      int open = template.indexOf("{{", at);
      String text = open < 0 ? template.substring(at) : template.substring(at, open);
      sb.append(text.replace("\\t", "\t").replace("\\n", "\n"));
      if (open < 0) {
        break;
      }
      int close = template.indexOf("}}", open);
      int end = close < 0 ? template.length() : close + 2;
      sb.append(template, open, end);
      at = end;
    }
    return sb.toString();
  }
}
