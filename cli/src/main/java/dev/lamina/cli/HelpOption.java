package dev.lamina.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --help} on every command, as docker and podman have it ({@code -h} is left free). */
@Command
final class HelpOption {
  @Option(names = "--help", usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  /** Adds {@code --help} to {@code cli} and all its subcommands that lack it. */
  static CommandLine addTo(CommandLine cli) {
    CommandSpec spec = cli.getCommandSpec();
    if (spec.findOption("--help") == null) {
      spec.addMixin("help", CommandSpec.forAnnotatedObject(new HelpOption()));
    }
    cli.getSubcommands().values().forEach(HelpOption::addTo);
    return cli;
  }
}
