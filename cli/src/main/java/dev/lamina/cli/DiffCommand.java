package dev.lamina.cli;

import dev.lamina.runner.image.ContainerChanges;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code lamina diff CONTAINER}: its changes to the image's files, a line each, as docker's. */
@Command(name = "diff", description = "List a container's changes to its image's files (A, C, D).")
final class DiffCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id.")
  String container;

  @Override
  public Integer call() throws Exception {
    ContainerChanges.of(ContainerSupport.open(store.root()), container)
        .forEach(c -> Output.fileNamesLine(c.toString()));
    return ExitCodes.OK;
  }
}
