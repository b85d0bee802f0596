package dev.lamina.runner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the monitor of a container (conmon) runs once the container has ended: a Lamina command
 * that brings its record up to date (exit code, runtime state deleted, networks torn down,
 * unmounted, removed with {@code --rm}), the job {@code podman container cleanup} does for podman.
 * conmon runs it without a {@code PATH} lookup, so its first word is an absolute path. The CLI
 * gives its own ({@code lamina cleanup}).
 */
@FunctionalInterface
public interface ExitCommand {
  /** The command for container {@code id} of the store at {@code laminaRoot}. */
  List<String> argv(Path laminaRoot, String id);

  /** {@code prefix LAMINA_ROOT ID} (for example {@code /path/to/bin/lamina cleanup}). */
  static ExitCommand command(List<String> prefix) {
    List<String> fixed = List.copyOf(prefix);
    return (laminaRoot, id) -> {
      List<String> cmd = new ArrayList<>(fixed);
      cmd.add(laminaRoot.toAbsolutePath().toString());
      cmd.add(id);
      return cmd;
    };
  }

  /** This JVM's {@code java} and class path running {@link ContainerCleanup}. */
  static ExitCommand javaProcess() {
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
            ContainerCleanup.class.getName()));
  }
}
