package dev.lamina.cli;

import java.util.List;
import picocli.CommandLine.Option;

/** The options every prune command takes, docker's: {@code -f} and {@code --filter}. */
final class PruneOptions {
  @Option(
      names = {"-f", "--force"},
      description = "Accepted for compatibility; lamina never prompts.")
  boolean force;

  @Option(
      names = "--filter",
      paramLabel = "KEY=VALUE",
      description = "Only what was created before until=TIME (RFC 3339, Unix seconds or a"
          + " duration ago such as 24h), has label=KEY[=VALUE] or has not label!=KEY[=VALUE]"
          + " (repeatable).")
  List<String> filters = List.of();

  /**
   * The filters, parsed.
   *
   * @throws UserException for an unknown key or a bad time
   */
  PruneFilter filter() {
    return PruneFilter.parse(filters);
  }
}
