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
    return ContainerMonitor.monitor(root, id);
  }
}
