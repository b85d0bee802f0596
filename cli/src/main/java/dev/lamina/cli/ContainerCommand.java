package dev.lamina.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lamina container prune|ls|rm|inspect}. */
@Command(
    name = "container",
    description = "Manage containers.",
    subcommands = {
      ContainerCommand.Prune.class,
      PsCommand.Ls.class,
      RmCommand.class,
      InspectCommand.class,
    })
final class ContainerCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required: prune, ls, rm or inspect");
  }

  /** Removes every container that is not running. */
  @Command(name = "prune", description = "Remove all stopped containers.")
  static final class Prune implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Option(names = {"-f", "--force"}, description = "Accepted for compatibility; lamina never prompts.")
    boolean force;

    @Override
    public Integer call() throws Exception {
      List<String> removed = ContainerSupport.open(store.root()).prune();
      if (!removed.isEmpty()) {
        Output.out().println("Deleted Containers:");
        removed.forEach(Output.out()::println);
        Output.out().println();
      }
      Output.out().println("Total containers removed: " + removed.size());
      return ExitCodes.OK;
    }
  }
}
