package dev.lamina.cli;

import dev.lamina.runner.Containers;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lamina stop [-t SECONDS] CONTAINER...}: the stop signal, then SIGKILL. */
@Command(name = "stop", description = "Stop running containers (STOPSIGNAL, then SIGKILL).")
final class StopCommand implements Callable<Integer> {
  @Mixin StoreOptions store;

  @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", description = "Seconds to wait before killing (default: the container's --stop-timeout, else 10).")
  Integer seconds;

  @Parameters(arity = "1..*", paramLabel = "CONTAINER", description = "Container names or ids.")
  List<String> refs;

  @Override
  public Integer call() {
    Containers containers = ContainerSupport.open(store.root());
    return Each.report(
        containers.stop(refs, seconds == null ? null : Duration.ofSeconds(Math.max(0, seconds))));
  }
}
