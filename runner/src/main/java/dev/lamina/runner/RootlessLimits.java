package dev.lamina.runner;

import dev.lamina.layerfs.posix.Rootless;
import dev.lamina.runner.runtime.Cgroups;
import dev.lamina.runner.spec.ContainerOptions;
import java.util.Set;

/**
 * Resource limits for an unprivileged user's container: they need cgroup v2 with the controller
 * delegated to the user (as systemd delegates a user session's cgroup). Where it is not, a limit
 * is refused in one line, as podman refuses it, rather than ignored.
 */
final class RootlessLimits {
  private RootlessLimits() {}

  /** @throws ContainerException when a limit asked for cannot be applied for this user */
  static void check(ContainerOptions options) throws ContainerException {
    if (!Rootless.active()) {
      return;
    }
    check(options, Cgroups.delegatedControllers());
  }

  static void check(ContainerOptions options, Set<String> delegated)
      throws ContainerException {
    require(options.memoryBytes() != null, "--memory", "memory", delegated);
    require(options.pidsLimit() != null, "--pids-limit", "pids", delegated);
    require(options.cpus() != null, "--cpus", "cpu", delegated);
  }

  private static void require(boolean asked, String flag, String controller,
      Set<String> delegated) throws ContainerException {
    if (asked && !delegated.contains(controller)) {
      throw new ContainerException(flag + " is not available to an unprivileged user here: it"
          + " needs cgroup v2 with the " + controller + " controller delegated to the user (this"
          + " host has " + (delegated.isEmpty() ? "none delegated" : "only " + delegated) + ");"
          + " run without it, or as root");
    }
  }
}
