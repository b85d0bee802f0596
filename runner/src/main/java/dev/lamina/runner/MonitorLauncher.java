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
 * does for podman). The CLI may substitute its own launcher (a hidden {@code lamina} subcommand).
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
   * The default: this JVM's {@code java} and class path running {@link ContainerMonitor}, in a
   * new session ({@code setsid}) so that the terminal's signals and hang-up do not reach it.
   */
  static MonitorLauncher javaProcess() {
    return (laminaRoot, id, monitorLog) -> {
      String java =
          ProcessHandle.current()
              .info()
              .command()
              .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      List<String> cmd = new ArrayList<>();
      cmd.add("setsid");
      cmd.add(java);
      cmd.add("-Xshare:auto");
      cmd.add("-XX:TieredStopAtLevel=1");
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(ContainerMonitor.class.getName());
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
}
