package dev.lamina.cli;

import dev.lamina.runner.ContainerLogs;
import dev.lamina.runner.Containers;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lamina logs [-f] [-n N] CONTAINER}: what a container wrote to stdout and stderr. */
@Command(name = "logs", description = "Print the output of a container.")
final class LogsCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(names = {"-f", "--follow"}, description = "Keep printing new output until the container exits.")
  boolean follow;

  @Option(names = {"-n", "--tail"}, paramLabel = "N", defaultValue = "all", description = "Only the last N lines (default: all).")
  String tail;

  @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id.")
  String container;

  @Override
  public Integer call() throws Exception {
    Containers containers = ContainerSupport.open(store.root());
    long from = 0;
    if (!tail.equals("all")) {
      int lines;
      try {
        lines = Integer.parseInt(tail);
      } catch (NumberFormatException e) {
        throw new UserException("invalid --tail " + tail + " (a number of lines, or all)");
      }
      from = lines < 0 ? 0 : ContainerLogs.tailOffset(containers, container, lines);
    }
    ContainerLogs.copy(containers, container, System.out, follow, from);
    System.out.flush();
    return ExitCodes.OK;
  }
}
