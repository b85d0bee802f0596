package dev.lamina.cli;

import dev.lamina.runner.Containers;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code lamina pause CONTAINER...}: freezes every process of each (the cgroup freezer). */
@Command(name = "pause", description = "Freeze all processes of running containers.")
final class PauseCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids.")
  List<String> refs;

  @Override
  public Integer call() {
    Containers containers = ContainerSupport.open(store.root());
    return Each.apply(refs, containers::pause);
  }

  /** {@code lamina unpause CONTAINER...}: thaws them. */
  @Command(name = "unpause", description = "Thaw paused containers.")
  static final class Unpause implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids.")
    List<String> refs;

    @Override
    public Integer call() {
      Containers containers = ContainerSupport.open(store.root());
      return Each.apply(refs, containers::unpause);
    }
  }
}
