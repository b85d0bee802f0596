package dev.lamina.cli;

import java.util.List;
import picocli.CommandLine.Option;

/** {@code -f/--format TEMPLATE} of the inspect commands: JSON without it, a line each with it. */
final class InspectFormat {
  @Option(
      names = {"-f", "--format"},
      paramLabel = "TEMPLATE",
      description = "Print each as a Go template would ({{.Name}}, {{json .Config}}).")
  String format;

  /** Refuses a template that cannot be parsed, before anything is looked up. */
  void check() {
    if (format != null) {
      FormatOption.parse(format, format);
    }
  }

  /** Prints {@code objects} as a JSON array, or each by the template. */
  void print(List<?> objects) {
    if (format == null) {
      Output.json(objects);
    } else {
      FormatOption.printEach(format, objects);
    }
  }
}
