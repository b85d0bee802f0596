package dev.lamina.cli;

import dev.lamina.runner.ContainerMonitor;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina monitor ROOT ID} (hidden): the process that runs a detached container, keeps its
 * log and records its exit code after the CLI that started it has gone.
 */
@Command(name = MonitorCommand.NAME, hidden = true, description = "Monitor a detached container.")
final class MonitorCommand implements Callable<Integer> {
  static final String NAME = "monitor";

  @Parameters(index = "0", paramLabel = "ROOT")
  Path root;

  @Parameters(index = "1", paramLabel = "ID")
  String id;

  @Override
  public Integer call() {
    int code = ContainerMonitor.monitor(root, id, NetworkCommand.defaults());
    // Once the container has exited and its end is recorded: its restart policy, as a monitor
    // of another kind would run `lamina restart-policy` when the container exits.
    try {
      Supervision.applyRestartPolicy(root, id);
    } catch (java.io.IOException | RuntimeException e) {
      System.err.println("lamina monitor: restart policy: " + ErrorHandler.oneLine(e));
    }
    return code;
  }
}
