package dev.lamina.cli;

import dev.lamina.layerfs.registry.AuthFiles;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IHelpSectionRenderer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** {@code --help} on every command, as docker and podman have it ({@code -h} is left free). */
@Command
final class HelpOption {
  @Option(names = "--help", usageHelp = true, description = "Show this help message and exit.")
  boolean help;

  /**
   * The system property that holds the default {@code --authfile} while help is printed, for
   * descriptions to name as {@code ${sys:lamina.authfile}}: the real path, as podman shows it.
   */
  static final String AUTHFILE_PROPERTY = "lamina.authfile";

  /** Adds {@code --help} to {@code cli} and all its subcommands that lack it. */
  static CommandLine addTo(CommandLine cli) {
    CommandSpec spec = cli.getCommandSpec();
    if (spec.findOption("--help") == null) {
      spec.addMixin("help", CommandSpec.forAnnotatedObject(new HelpOption()));
    }
    cli.getSubcommands().values().forEach(HelpOption::addTo);
    return cli;
  }

  /**
   * Makes the help of {@code cli} and its subcommands that take {@code --authfile} name the
   * default auth file (see {@link #AUTHFILE_PROPERTY}).
   */
  static void showDefaultAuthFile(CommandLine cli) {
    if (cli.getCommandSpec().findOption("--authfile") != null) {
      // Computed only when help is shown: it depends on the environment and the user id.
      IHelpSectionRenderer options =
          cli.getHelpSectionMap().get(CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST);
      cli.getHelpSectionMap().put(
          CommandLine.Model.UsageMessageSpec.SECTION_KEY_OPTION_LIST,
          help -> {
            System.setProperty(AUTHFILE_PROPERTY, AuthFiles.of(null).writable().toString());
            return options.render(help);
          });
    }
    cli.getSubcommands().values().forEach(HelpOption::showDefaultAuthFile);
  }
}
