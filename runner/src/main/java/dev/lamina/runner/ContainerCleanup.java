package dev.lamina.runner;

import dev.lamina.runner.runtime.OciRuntimes;
import java.nio.file.Path;

/**
 * The command a container's monitor runs when the container has ended ({@link ExitCommand}):
 * records its exit code, deletes its runtime state, takes it off its networks, unmounts it, and
 * removes it when it was started with {@code --rm}. Whoever looks at the container first does the
 * same ({@code stop}, {@code wait}, {@code ps}), so this finds it done as often as not.
 */
public final class ContainerCleanup {
  private ContainerCleanup() {}

  /** {@code ContainerCleanup LAMINA_ROOT ID}; exits 0, or 125 after saying why on stderr. */
  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: ContainerCleanup LAMINA_ROOT CONTAINER_ID");
      System.exit(2);
    }
    Path root = Path.of(args[0]);
    try {
      Containers.open(root, ExitCommand.javaProcess(), OciRuntimes.source(root)).cleanUp(args[1]);
    } catch (Exception e) {
      System.err.println("lamina cleanup: " + e.getMessage());
      System.exit(125);
    }
  }
}
