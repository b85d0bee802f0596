package dev.lamina.cli;

import picocli.CommandLine;

/**
 * The whole command tree, every command and subcommand with its options, as completion scripts
 * and man pages describe it. (A run of one command builds only that command's model; see {@link
 * Main#execute}.)
 */
final class CommandModel {
  private CommandModel() {}

  static CommandLine full() {
    return Main.fullCommandLine(new Main(), CommandModels.load());
  }
}
