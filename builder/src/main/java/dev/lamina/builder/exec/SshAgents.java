package dev.lamina.builder.exec;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The SSH agents a build offers its {@code RUN --mount=type=ssh} steps ({@code --ssh}), by id:
 * the socket of an agent the user runs, or, for key files, an agent Lamina starts for the build
 * ({@code ssh-agent}, the keys added with {@code ssh-add}) and stops when it ends. A key never
 * enters a container: a step only reaches an agent, through a {@link SshForward}. The
 * {@code default} agent also serves git's ssh for {@code ADD} of an ssh git source, on the host.
 */
final class SshAgents implements AutoCloseable {
  private static final long START_TIMEOUT_MILLIS = 5_000;
  private static final long ADD_TIMEOUT_SECONDS = 10;

  private final Map<String, Path> sockets;
  private final List<Process> started;
  private final List<Path> dirs;

  private SshAgents(Map<String, Path> sockets, List<Process> started, List<Path> dirs) {
    this.sockets = sockets;
    this.started = started;
    this.dirs = dirs;
  }

  /**
   * Makes the agents of {@code specs}: for each id, one agent socket, or key files.
   *
   * @throws BuildException when a socket or key is missing, a key cannot be added (one protected
   *     by a passphrase, for instance: nothing can prompt for it), or ssh-agent is not installed
   */
  static SshAgents open(Map<String, List<Path>> specs) throws IOException {
    SshAgents agents = new SshAgents(new LinkedHashMap<>(), new ArrayList<>(), new ArrayList<>());
    try {
      for (Map.Entry<String, List<Path>> e : specs.entrySet()) {
        agents.sockets.put(e.getKey(), agents.socketFor(e.getKey(), e.getValue()));
      }
      return agents;
    } catch (IOException | RuntimeException e) {
      agents.close();
      throw e;
    }
  }

  /** The agent socket for {@code id}, or empty when the build was given none. */
  Optional<Path> socket(String id) {
    return Optional.ofNullable(sockets.get(id));
  }

  private Path socketFor(String id, List<Path> paths) throws IOException {
    List<Path> keys = new ArrayList<>();
    for (Path p : paths) {
      FileStat st;
      try {
        st = Posix.lstat(p.toRealPath());
      } catch (NoSuchFileException e) {
        throw new BuildException("--ssh " + id + ": " + p + " does not exist");
      }
      if (st.isSocket()) {
        if (paths.size() > 1) {
          throw new BuildException("--ssh " + id + ": an agent socket cannot be mixed with keys");
        }
        return p.toAbsolutePath();
      }
      if (!st.isRegularFile()) {
        throw new BuildException("--ssh " + id + ": " + p + " is neither a socket nor a key file");
      }
      keys.add(p.toAbsolutePath());
    }
    return startAgent(id, keys);
  }

  /** An agent of Lamina's own holding {@code keys}, its socket in a private directory. */
  private Path startAgent(String id, List<Path> keys) throws IOException {
    Path dir =
        Files.createTempDirectory(
            "lamina-ssh-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    dirs.add(dir);
    Path socket = dir.resolve("agent.sock");
    Process agent;
    try {
      agent =
          new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString())
              .redirectInput(Redirect.from(Path.of("/dev/null").toFile()))
              .redirectOutput(Redirect.DISCARD)
              .redirectError(Redirect.DISCARD)
              .start();
    } catch (IOException e) {
      throw new BuildException("--ssh " + id + " with key files needs ssh-agent"
          + " (on Debian/Ubuntu: apt-get install openssh-client)");
    }
    started.add(agent);
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
    while (!Files.exists(socket)) {
      if (!agent.isAlive() || System.currentTimeMillis() > deadline) {
        throw new BuildException("--ssh " + id + ": ssh-agent did not start");
      }
      sleep(10);
    }
    for (Path key : keys) {
      add(id, socket, key);
    }
    return socket;
  }

  /** {@code ssh-add KEY} with no way to prompt: no terminal, no askpass program. */
  private static void add(String id, Path socket, Path key) throws IOException {
    ProcessBuilder pb =
        new ProcessBuilder("ssh-add", "-q", key.toString())
            .redirectInput(Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(Redirect.DISCARD)
            .redirectErrorStream(false);
    pb.environment().keySet().removeIf(k -> k.startsWith("SSH_") || k.equals("DISPLAY"));
    pb.environment().put("SSH_AUTH_SOCK", socket.toString());
    pb.environment().put("SSH_ASKPASS_REQUIRE", "never");
    Process p = pb.start();
    byte[] err = p.getErrorStream().readNBytes(4096);
    try {
      if (!p.waitFor(ADD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new BuildException("--ssh " + id + ": ssh-add " + key + " did not finish");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new BuildException("interrupted");
    }
    if (p.exitValue() != 0) {
      String why = new String(err, StandardCharsets.UTF_8).strip().lines().findFirst().orElse("");
      throw new BuildException("--ssh " + id + ": cannot add key " + key
          + (why.isEmpty() ? "" : ": " + why) + " (a key with a passphrase needs an agent"
          + " of your own: --ssh " + id + "=$SSH_AUTH_SOCK)");
    }
  }

  private static void sleep(long millis) throws BuildException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BuildException("interrupted");
    }
  }

  @Override
  public void close() throws IOException {
    for (Process p : started) {
      p.destroy();
      try {
        if (!p.waitFor(2, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    for (Path d : dirs) {
      try (var entries = Files.list(d)) {
        for (Path e : entries.toList()) {
          Files.deleteIfExists(e);
        }
      }
      Files.deleteIfExists(d);
    }
  }
}
