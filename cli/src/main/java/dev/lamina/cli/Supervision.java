package dev.lamina.cli;

import dev.lamina.runner.ContainerRecord;
import dev.lamina.runner.ContainerState;
import dev.lamina.runner.Containers;
import dev.lamina.runner.RestartPolicies;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What runs beside a container, with no daemon: its health-check timer ({@code lamina healthcheck
 * watch}, a process of its own session started with each run of a container that has a health
 * check, ending with that run) and its restart policy (applied by whatever saw it exit: the
 * monitor in-process, or {@code lamina restart-policy} started by a foreground {@code run}).
 * Both only go through the library's {@link dev.lamina.runner.HealthChecks} and {@link
 * RestartPolicies}; a monitor of another kind (conmon's {@code --exit-command}) can run {@code
 * lamina restart-policy --root ROOT ID} itself.
 */
final class Supervision {
  private Supervision() {}

  /** Whether the container {@code request} makes will have a health check. */
  static boolean hasHealthcheck(dev.lamina.runner.ContainerRequest request) {
    var settings = request.settings();
    var image = request.image().config().config();
    return !settings.noHealthcheck()
        && (settings.healthcheck() != null
            || dev.lamina.runner.health.HealthConfig.ofImage(
                    image == null ? null : image.healthcheck())
                != null);
  }

  /** Starts the health-check timer of a container that has just started, if it has a check. */
  static void started(Path root, ContainerRecord r) throws IOException {
    if (r.healthcheck() == null || r.state() == ContainerState.EXITED) {
      return;
    }
    watchHealth(root, r.id());
  }

  /** Starts the health-check timer of container {@code id}, known to have a check. */
  static void watchHealth(Path root, String id) throws IOException {
    launch(root, id, List.of("healthcheck", "watch"), "health.log");
  }

  /**
   * After a foreground {@code run}: when its policy restarts the container, a detached {@code
   * lamina restart-policy} does it (after the back-off), so that {@code run} still returns the
   * container's exit code at once, as docker's client does.
   */
  static void exited(Path root, String id) {
    try {
      Optional<ContainerRecord> r = find(root, id);
      if (r.isPresent() && r.get().state() == ContainerState.EXITED
          && r.get().restart().restarts(
              r.get().exitCode(), r.get().restartCount(), r.get().stoppedByUser())) {
        launch(root, id, List.of(RestartPolicyCommand.NAME), "monitor.log");
      }
    } catch (IOException e) {
      System.err.println("lamina: warning: cannot apply the restart policy of " + id + ": "
          + ErrorHandler.oneLine(e));
    }
  }

  /** Applies the restart policy of a container that has exited, in this process. */
  static RestartPolicies.Outcome applyRestartPolicy(Path root, String id) throws IOException {
    Containers containers = ContainerSupport.open(root);
    RestartPolicies.Outcome o = containers.restartPolicies().afterExit(id);
    if (o == RestartPolicies.Outcome.RESTARTED) {
      started(root, containers.inspect(id));
    }
    return o;
  }

  private static Optional<ContainerRecord> find(Path root, String id) throws IOException {
    return ContainerSupport.open(root).byId(id);
  }

  /**
   * {@code lamina SUBCOMMAND --root ROOT ID} in a session of its own (no terminal signals reach
   * it), no stdin, its output appended to {@code log} in the container's directory.
   */
  private static void launch(Path root, String id, List<String> subcommand, String log)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add("setsid");
    cmd.addAll(ContainerSupport.laminaCommand());
    cmd.addAll(subcommand);
    cmd.add("--root");
    cmd.add(root.toAbsolutePath().toString());
    cmd.add(id);
    File out = root.resolve("containers").resolve(id).resolve(log).toFile();
    new ProcessBuilder(cmd)
        .redirectInput(Redirect.from(new File("/dev/null")))
        .redirectOutput(Redirect.appendTo(out))
        .redirectError(Redirect.appendTo(out))
        .start();
  }
}
