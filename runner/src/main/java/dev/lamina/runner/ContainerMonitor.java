package dev.lamina.runner;

import dev.lamina.runner.runtime.OciRuntimes;

import java.nio.file.Path;

/**
 * The monitor process of a detached container: runs it with stdout and stderr (or its terminal's
 * output) appended to its log, forwards SIGTERM/SIGINT/SIGHUP it receives, records the exit code,
 * unmounts, and removes the container when it was started with {@code --rm}.
 */
public final class ContainerMonitor {
  private ContainerMonitor() {}

  /**
   * Monitors container {@code id} of the store at {@code laminaRoot} until it exits.
   *
   * @return the container's exit code, or 125 when it could not be run (the reason is printed on
   *     stderr, which the launcher keeps in the container's {@code monitor.log})
   */
  public static int monitor(Path laminaRoot, String id) {
    return monitor(laminaRoot, id, dev.lamina.runner.network.NetworkDefaults.standard());
  }

  /** The same, with the host's networks where {@code networks} places them. */
  public static int monitor(
      Path laminaRoot, String id, dev.lamina.runner.network.NetworkDefaults networks) {
    try {
      return Containers.open(
              laminaRoot, MonitorLauncher.javaProcess(), OciRuntimes.source(laminaRoot), networks)
          .reportLogFailuresTo(
              (log, cause) ->
                  System.err.println(
                      "lamina monitor: cannot write the container's log " + log + ": "
                          + cause.getMessage() + "; its output is left out of the log until"
                          + " the log can be written again"))
          .runDetached(id);
    } catch (Exception e) {
      System.err.println("lamina monitor: " + e.getMessage());
      return 125;
    }
  }

  /** {@code ContainerMonitor LAMINA_ROOT ID}; exits with {@link #monitor}'s code. */
  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: ContainerMonitor LAMINA_ROOT CONTAINER_ID");
      System.exit(2);
    }
    System.exit(monitor(Path.of(args[0]), args[1]));
  }
}
