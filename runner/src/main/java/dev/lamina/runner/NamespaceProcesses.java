package dev.lamina.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A container's processes found by its PID namespace rather than its cgroup: what {@code runc
 * ps} lists from the cgroup, for a user whose containers have none (cgroup v1, or v2 not
 * delegated), as podman's {@code top} reads {@code /proc}. Every process of the container, and
 * only those, is in the namespace of its first process.
 */
final class NamespaceProcesses {
  private static final Path PROC = Path.of("/proc");

  private NamespaceProcesses() {}

  /**
   * The host's {@code ps} output ({@code ps -ef} unless {@code psOptions} say otherwise), with
   * the header and the rows of the processes in the PID namespace of {@code init}.
   *
   * @throws ContainerException when {@code init} is gone, or the options leave out the PID column
   * @throws IOException when {@code ps} cannot be run or fails
   */
  static String list(long init, List<String> psOptions) throws IOException {
    Set<Long> pids = inNamespaceOf(init);
    List<String> cmd = new ArrayList<>(List.of("ps"));
    cmd.addAll(psOptions.isEmpty() ? List.of("-ef") : psOptions);
    Process p = new ProcessBuilder(cmd)
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
        .redirectError(ProcessBuilder.Redirect.PIPE).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    int code;
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("ps did not end");
      }
      code = p.exitValue();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while running ps");
    }
    if (code != 0) {
      throw new IOException("ps " + String.join(" ", psOptions) + " failed: "
          + (err.isEmpty() ? "exit status " + code : err.lines().findFirst().orElse(err)));
    }
    return filter(out, pids);
  }

  /** {@code psOutput}'s header and the rows whose PID is one of {@code pids}. */
  static String filter(String psOutput, Set<Long> pids) throws ContainerException {
    List<String> lines = psOutput.lines().toList();
    if (lines.isEmpty()) {
      return "";
    }
    List<String> header = List.of(lines.get(0).strip().split("\\s+"));
    int column = header.indexOf("PID");
    if (column < 0) {
      throw new ContainerException("the ps options must keep the PID column (ps -o pid,...)");
    }
    StringBuilder sb = new StringBuilder(lines.get(0)).append('\n');
    for (String line : lines.subList(1, lines.size())) {
      String[] fields = line.strip().split("\\s+");
      if (fields.length > column && isPidIn(fields[column], pids)) {
        sb.append(line).append('\n');
      }
    }
    return sb.toString();
  }

  private static boolean isPidIn(String field, Set<Long> pids) {
    try {
      return pids.contains(Long.parseLong(field));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The pids whose PID namespace is that of {@code init}, {@code init} included. */
  private static Set<Long> inNamespaceOf(long init) throws IOException {
    Path own;
    try {
      own = Files.readSymbolicLink(PROC.resolve(init + "/ns/pid"));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ContainerException("the container's process " + init + " is gone");
    }
    Set<Long> pids = new HashSet<>();
    try (var dirs = Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("[0-9]+"))) {
      for (Path d : dirs) {
        try {
          if (own.equals(Files.readSymbolicLink(d.resolve("ns/pid")))) {
            pids.add(Long.parseLong(d.getFileName().toString()));
          }
        } catch (IOException gone) {
          // Ended meanwhile, or not ours to look at: not one of the container's.
        }
      }
    }
    return pids;
  }
}
