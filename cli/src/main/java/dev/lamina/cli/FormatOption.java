package dev.lamina.cli;

import picocli.CommandLine.Option;

/** {@code --format table|json} for commands that print tables. */
final class FormatOption {
  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      description = "Output format: table (default) or json.",
      defaultValue = "table")
  String format;

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
