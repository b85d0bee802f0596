package dev.lamina.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina cleanup ROOT ID} (hidden): what a container's monitor, conmon, runs when the
 * container has ended: records its exit code, takes it off its networks, unmounts it, and removes
 * it when it was run with {@code --rm} (as {@code podman container cleanup}).
 */
@Command(name = CleanupCommand.NAME, hidden = true, description = "Finish an ended container.")
final class CleanupCommand implements Callable<Integer> {
  static final String NAME = "cleanup";

  @Parameters(index = "0", paramLabel = "ROOT")
  Path root;

  @Parameters(index = "1", paramLabel = "ID")
  String id;

  @Override
  public Integer call() throws Exception {
    ContainerSupport.open(root).cleanUp(id);
    // Once its end is recorded: its restart policy, after the back-off (conmon waits for this
    // command, and goes when it ends).
    Supervision.applyRestartPolicy(root, id);
    return ExitCodes.OK;
  }
}
