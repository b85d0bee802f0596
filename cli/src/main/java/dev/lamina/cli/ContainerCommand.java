package dev.lamina.cli;

import dev.lamina.layerfs.store.StoreUsage;
import dev.lamina.runner.Containers;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

    @Option(
        names = "--filter",
        paramLabel = "KEY=VALUE",
        description = "Only containers created before until=TIME, or with label=KEY[=VALUE],"
            + " or without label!=KEY[=VALUE] (repeatable).")
    List<String> filters = List.of();

    @Override
    public Integer call() throws Exception {
      List<String> removed = prune(store, PruneFilter.parse(filters)).ids();
      if (!removed.isEmpty()) {
        Output.out().println("Deleted Containers:");
        removed.forEach(Output.out()::println);
        Output.out().println();
      }
      Output.out().println("Total containers removed: " + removed.size());
      return ExitCodes.OK;
    }

    /** The containers removed, and the bytes their directories (writable layers, logs) held. */
    record Pruned(List<String> ids, long bytesFreed) {}

    /** Removes the stopped containers {@code filter} accepts; what system prune runs too. */
    static Pruned prune(StoreOptions store, PruneFilter filter) throws IOException {
      Containers containers = ContainerSupport.open(store.root());
      ContainerView view = new ContainerView(containers, store);
      Map<String, Long> sizes = new HashMap<>();
      List<String> removed = containers.prune(r -> {
        if (!filter.matches(r.created(), view.labels(r))) {
          return false;
        }
        try {
          // Measured as it is chosen, before its removal takes the directory.
          sizes.put(r.id(), StoreUsage.du(containers.bundle(r.id())));
        } catch (IOException unmeasured) {
          // Removed all the same; its bytes are not counted.
        }
        return true;
      });
      long bytes = 0;
      for (String id : removed) {
        bytes += sizes.getOrDefault(id, 0L);
      }
      return new Pruned(removed, bytes);
    }
  }
}
