package dev.lamina.runner;

import dev.lamina.runner.runtime.Stdio;
import java.nio.file.Path;

/**
 * The monitor process of a detached container: runs it with stdout and stderr appended to its
 * {@code ctr.log}, forwards SIGTERM/SIGINT it receives, records the exit code, unmounts, and
 * removes the container when it was started with {@code --rm}.
 */
public final class ContainerMonitor {
  private ContainerMonitor() {}

  /**
   * {@code ContainerMonitor LAMINA_ROOT ID}. Exits with the container's exit code, or 125 when it
   * could not be run.
   */
  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: ContainerMonitor LAMINA_ROOT CONTAINER_ID");
      System.exit(2);
    }
    int code;
    try {
      Containers containers = Containers.open(Path.of(args[0]));
      Path log = containers.logFile(args[1]);
      code = containers.startAttached(args[1], Stdio.toLog(log), true);
    } catch (Exception e) {
      System.err.println("lamina monitor: " + e.getMessage());
      code = 125;
    }
    System.exit(code);
  }
}
