package dev.lamina.cli;

import dev.lamina.runner.ContainerLogs;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lamina logs [-f] CONTAINER}: what a container wrote to stdout and stderr. */
@Command(name = "logs", description = "Print the output of a container.")
final class LogsCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(names = {"-f", "--follow"}, description = "Keep printing new output until the container exits.")
  boolean follow;

  @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id.")
  String container;

  @Override
  public Integer call() throws Exception {
    ContainerLogs.copy(ContainerSupport.open(store.root()), container, System.out, follow);
    System.out.flush();
    return ExitCodes.OK;
  }
}
