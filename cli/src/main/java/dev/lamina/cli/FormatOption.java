package dev.lamina.cli;

import picocli.CommandLine.Option;

/**
 * {@code --format table|json} for commands that print tables; {@code ps} and {@code images} also
 * take a Go template ({@link #template}).
 */
final class FormatOption {
  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "Output format: table (default) or json.",
      defaultValue = "table")
  String format;

  /**
   * The template, for a format that is one ({@code {{.Names}}}); null for table or json. It
   * applies to rows, so a field they lack is refused ({@link InspectTemplate#strict}).
   */
  InspectTemplate template() {
    return format.contains("{{") ? InspectTemplate.parse(format).strict() : null;
  }

  boolean json() {
    if ("json".equals(format)) {
      return true;
    }
    if ("table".equals(format)) {
      return false;
    }
    throw new UserException("unknown --format " + format + " (want table or json)", ExitCodes.USAGE);
  }
}
