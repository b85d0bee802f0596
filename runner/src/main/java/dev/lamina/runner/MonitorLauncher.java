package dev.lamina.runner;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the monitor of a detached container: a process of its own session that outlives the
 * CLI, runs the container with its output in the log, and records its exit code (the job conmon
 * does for podman). The CLI substitutes its own launcher (a hidden {@code lamina monitor}
 * subcommand).
 */
@FunctionalInterface
public interface MonitorLauncher {
  /**
   * Starts the monitor for container {@code id} of the store at {@code laminaRoot}.
   *
   * @param monitorLog where the monitor's own diagnostics go
   * @throws IOException if the process cannot be started
   */
  Process launch(Path laminaRoot, String id, Path monitorLog) throws IOException;

  /**
   * The monitor as {@code prefix LAMINA_ROOT ID} (for example {@code bin/lamina monitor}), run in
   * a new session ({@code setsid}) so that the terminal's signals and hang-up do not reach it,
   * with no stdin and its own output in {@code monitorLog}: nothing ties it to the CLI, whose
   * caller may be waiting for the CLI's stdout to close.
   */
  static MonitorLauncher command(List<String> prefix) {
    List<String> fixed = List.copyOf(prefix);
    return (laminaRoot, id, monitorLog) -> {
      List<String> cmd = new ArrayList<>();
      cmd.add("setsid");
      cmd.addAll(fixed);
      cmd.add(laminaRoot.toAbsolutePath().toString());
      cmd.add(id);
      File log = monitorLog.toFile();
      return new ProcessBuilder(cmd)
          .redirectInput(Redirect.from(new File("/dev/null")))
          .redirectOutput(Redirect.appendTo(log))
          .redirectError(Redirect.appendTo(log))
          .start();
    };
  }

  /** The default: this JVM's {@code java} and class path running {@link ContainerMonitor}. */
  static MonitorLauncher javaProcess() {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    return command(
        List.of(
            java,
            "-Xshare:auto",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-cp",
            System.getProperty("java.class.path"),
            ContainerMonitor.class.getName()));
  }
}
