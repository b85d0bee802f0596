package dev.lamina.cli;

import dev.lamina.runner.Containers;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lamina rm [-f] [-v] CONTAINER...}: removes containers and their writable layers. */
@Command(name = "rm", description = "Remove containers (named volumes are kept).")
final class RmCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(names = {"-f", "--force"}, description = "Kill and remove running containers.")
  boolean force;

  @Option(names = {"-v", "--volumes"}, description = "Also remove their anonymous volumes.")
  boolean volumes;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids.")
  List<String> refs;

  @Override
  public Integer call() {
    Containers containers = ContainerSupport.open(store.root());
    return Each.report(containers.remove(refs, force, volumes));
  }
}
