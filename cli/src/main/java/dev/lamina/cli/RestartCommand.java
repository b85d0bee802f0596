package dev.lamina.cli;

import dev.lamina.runner.ContainerState;
import dev.lamina.runner.Containers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lamina restart [-t SECONDS] CONTAINER...}: stop (if running), then start. */
@Command(name = "restart", description = "Stop (if running) and start containers again.")
final class RestartCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", description = "Seconds to wait before killing (default: the container's --stop-timeout, else 10).")
  Integer seconds;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids.")
  List<String> refs;

  @Override
  public Integer call() {
    Containers containers = ContainerSupport.open(store.root());
    return Each.apply(refs, ref -> {
      if ((seconds == null ? containers.stop(ref)
          : containers.stop(ref, Duration.ofSeconds(Math.max(0, seconds)))).state()
          == ContainerState.RUNNING) {
        throw new dev.lamina.runner.ContainerException("container " + ref + " did not stop");
      }
      Supervision.started(store.root(), containers.start(ref));
    });
  }
}
