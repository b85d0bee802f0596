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

  @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", defaultValue = "10", description = "Seconds to wait before killing (default 10).")
  int seconds;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids.")
  List<String> refs;

  @Override
  public Integer call() {
    Containers containers = ContainerSupport.open(store.root());
    return Each.apply(refs, ref -> {
      if (containers.stop(ref, Duration.ofSeconds(Math.max(0, seconds))).state()
          == ContainerState.RUNNING) {
        throw new dev.lamina.runner.ContainerException("container " + ref + " did not stop");
      }
      containers.start(ref);
    });
  }
}
