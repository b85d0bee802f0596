package dev.lamina.cli;

import dev.lamina.runner.Containers;
import java.io.IOException;
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
    throw CommandGroups.subcommandRequired(spec);
  }

  /** Removes every container that is not running. */
  @Command(name = "prune", description = "Remove all stopped containers.")
  static final class Prune implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Mixin PruneOptions options;

    @Override
    public Integer call() throws Exception {
      List<String> removed = prune(store, options.filter()).ids();
      PruneOutput.section("Deleted Containers:", removed);
      Output.out().println("Total containers removed: " + removed.size());
      return ExitCodes.OK;
    }

    /** The containers removed, and the bytes their directories (writable layers, logs) held. */
    record Pruned(List<String> ids, long bytesFreed) {}

    /** Removes the stopped containers {@code filter} accepts; what system prune runs too. */
    static Pruned prune(StoreOptions store, PruneFilter filter) throws IOException {
      Containers containers = ContainerSupport.open(store.root());
      ContainerView view = new ContainerView(containers, store);
      RemovedSizes sizes = new RemovedSizes();
      List<String> removed = containers.prune(r -> filter.matches(r.created(), view.labels(r))
          && sizes.chosen(r.id(), () -> containers.bundle(r.id())));
      return new Pruned(removed, sizes.of(removed));
    }
  }
}
