package dev.lamina.cli;

import dev.lamina.runner.ContainerRecord;
import dev.lamina.runner.ContainerState;
import dev.lamina.runner.Containers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina wait CONTAINER...}: waits until each has stopped and prints its exit code, as
 * {@code docker wait} (an exit that was not observed prints -1).
 */
@Command(name = "wait", description = "Wait for containers to stop; print their exit codes.")
final class WaitCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids.")
  List<String> refs;

  @Override
  public Integer call() throws Exception {
    Containers containers = ContainerSupport.open(store.root());
    int failed = 0;
    for (String ref : refs) {
      try {
        ContainerRecord r = containers.inspect(ref);
        while (r.state() == ContainerState.RUNNING) {
          r = containers.await(r.id(), Duration.ofHours(1));
        }
        Output.out().println(r.exitCode() == null ? -1 : r.exitCode());
      } catch (java.io.IOException e) {
        System.err.println("lamina: " + ErrorHandler.oneLine(e));
        failed++;
      }
    }
    Output.out().flush();
    return failed == 0 ? ExitCodes.OK : ExitCodes.ERROR;
  }
}
