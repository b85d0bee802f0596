package dev.lamina.cli;

import dev.lamina.runner.health.HealthState;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code lamina healthcheck run CONTAINER}: one health check now, as podman's. */
@Command(
    name = "healthcheck",
    description = "Run container health checks.",
    subcommands = {HealthcheckCommand.Run.class, HealthcheckCommand.Watch.class})
final class HealthcheckCommand {

  /** Runs the check once; exits 0 when healthy, 1 otherwise (starting or unhealthy). */
  @Command(name = "run", description = "Run a container's health check now; exit 0 if healthy, 1 if not.")
  static final class Run implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Parameters(index = "0", paramLabel = "CONTAINER", description = "Container name or id.")
    String ref;

    @Override
    public Integer call() throws Exception {
      HealthState h = ContainerSupport.open(store.root()).healthChecks().run(ref);
      if (!h.status().equals(HealthState.HEALTHY)) {
        System.out.println(h.status());
        return 1;
      }
      return ExitCodes.OK;
    }
  }

  /** The timer: checks every interval while the container's current run lasts. */
  @Command(name = "watch", hidden = true, description = "Check a container's health every interval while it runs.")
  static final class Watch implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Parameters(index = "0", paramLabel = "CONTAINER")
    String ref;

    @Override
    public Integer call() throws Exception {
      ContainerSupport.open(store.root()).healthChecks().watch(ref);
      return ExitCodes.OK;
    }
  }
}
