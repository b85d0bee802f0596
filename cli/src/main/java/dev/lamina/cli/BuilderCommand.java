package dev.lamina.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lamina builder prune}: docker's build-cache commands. */
@Command(
    name = "builder",
    description = "Manage the build cache.",
    subcommands = {BuilderCommand.Prune.class})
final class BuilderCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw CommandGroups.subcommandRequired(spec);
  }

  /**
   * Clears the build cache: its records, and the layers of cached steps no image names. Images
   * and containers stay.
   */
  @Command(name = "prune", description = "Remove the build cache.")
  static final class Prune implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Option(
        names = {"-a", "--all"},
        description = "Accepted for compatibility; the whole cache goes either way.")
    boolean all;

    @Option(
        names = {"-f", "--force"},
        description = "Accepted for compatibility; lamina never prompts.")
    boolean force;

    @Override
    public Integer call() throws Exception {
      PruneOutput.total(Hooks.buildCache(store.open()).run().bytesFreed());
      return ExitCodes.OK;
    }
  }
}
