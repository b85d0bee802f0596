package dev.lamina.cli;

import java.util.List;

/** The prune commands' output, docker's: a section per kind of thing removed, then the total. */
final class PruneOutput {
  private PruneOutput() {}

  /** {@code title}, then {@code lines} and an empty line; nothing when nothing was removed. */
  static void section(String title, List<String> lines) {
    if (!lines.isEmpty()) {
      Output.out().println(title);
      lines.forEach(Output.out()::println);
      Output.out().println();
    }
  }

  static void total(long bytes) {
    Output.out().println("Total reclaimed space: " + Humanize.size(bytes));
  }
}
