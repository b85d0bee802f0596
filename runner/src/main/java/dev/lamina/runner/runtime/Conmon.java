package dev.lamina.runner.runtime;

import dev.lamina.layerfs.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * conmon, the container monitor podman uses: a small C program that creates the container through
 * the runtime, holds its stdio (or its terminal), writes its log in the k8s-file format, serves
 * its attach socket, writes its exit code to a file when it ends, and then runs an exit command.
 * It lives as long as its container, a session of its own, after the command that started it has
 * gone.
 *
 * <p>It is told where its sync pipe is by {@code _OCI_SYNCPIPE} (a descriptor number), on which it
 * says once whether the runtime created the container: {@code {"data": PID}}, or a negative value
 * and the runtime's error. Java starts children with their stdio only, so a shell gives it the
 * pipe of its stdout as descriptor 3.
 */
public final class Conmon {
  /** Where Debian and podman's packages put it, after the {@code PATH}. */
  private static final List<Path> KNOWN =
      List.of(
          Path.of("/usr/bin/conmon"),
          Path.of("/usr/libexec/podman/conmon"),
          Path.of("/usr/local/libexec/podman/conmon"),
          Path.of("/usr/local/bin/conmon"));

  /** conmon in place of the shell, its sync pipe the shell's stdout. */
  private static final String AS_CHILD = "exec \"$0\" \"$@\" 3>&1 1>/dev/null";

  /**
   * conmon, whose first process exits at once, then the shell waits until its stdin closes: the
   * JVM stops reading a child's stdout when the child exits, possibly before conmon's second
   * process has written to it, so this one lives until the sync message has been read.
   */
  private static final String AS_DAEMON = "\"$0\" \"$@\" 3>&1 1>/dev/null; read -r _";

  private final Path binary;

  private Conmon(Path binary) {
    this.binary = binary;
  }

  /**
   * The host's conmon.
   *
   * @throws MonitorNotFoundException when there is none, naming the package to install
   */
  public static Conmon locate() throws MonitorNotFoundException {
    String path = System.getenv("PATH");
    List<Path> candidates = new ArrayList<>();
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          candidates.add(Path.of(dir, "conmon"));
        }
      }
    }
    candidates.addAll(KNOWN);
    for (Path p : candidates) {
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return new Conmon(p.toAbsolutePath());
      }
    }
    throw new MonitorNotFoundException(
        "conmon, the container monitor, is not installed; install it: apt-get install conmon");
  }

  public Path binary() {
    return binary;
  }

  /**
   * What conmon is to do for one container.
   *
   * @param bundle the runtime bundle; conmon also makes its control FIFOs ({@code ctl}, {@code
   *     winsz}) there
   * @param stdin keep a pipe to the container's stdin open for attached clients ({@code -i})
   * @param leaveStdinOpen keep it open when a client leaves (a detached container)
   * @param log the container's log, written in the k8s-file format
   * @param exitDir where conmon writes a file named by the id, holding the exit code
   * @param link the name of conmon's link to the bundle in {@code socketDir}
   * @param socketDir a short directory for the link to the bundle through which the attach socket
   *     is reached ({@code socketDir/LINK/attach}), as a unix socket path is limited to 107 bytes
   * @param exitCommand run when the container has ended (after the exit file is written)
   * @param diagnostics where conmon's own messages go before it leaves its stdio
   * @param dyingWithThis conmon gets SIGTERM should this process die, which it passes to the
   *     container: a foreground {@code run} killed does not leave its container running
   * @param child keep conmon this process's child ({@code --sync}), for a caller that waits for
   *     it; otherwise it forks once more and its first process exits, as podman runs it, which
   *     leaves its resident set without the pages its start-up touched (about half)
   */
  public record Request(
      String id,
      String link,
      String name,
      Path bundle,
      RuntimeCommand runtime,
      boolean terminal,
      boolean stdin,
      boolean leaveStdinOpen,
      Path log,
      Path exitDir,
      Path socketDir,
      List<String> exitCommand,
      Path diagnostics,
      boolean dyingWithThis,
      boolean child) {}

  /** A container conmon created: conmon's process and the container's pid. */
  public record Started(ProcessHandle conmon, long containerPid) {}

  /**
   * Starts conmon, which creates the container (not yet started: {@link OciRuntime#start} does
   * that), and waits for it to say so.
   *
   * @throws OciRuntimeException when the runtime could not create it, typed by the runtime's
   *     error; conmon has ended then
   */
  public Started launch(Request r) throws IOException {
    Files.createDirectories(r.exitDir());
    Files.createDirectories(r.socketDir());
    Path pidFile = r.bundle().resolve("container.pid");
    Path conmonPidFile = r.bundle().resolve("conmon.pid");
    Files.deleteIfExists(pidFile);
    Files.deleteIfExists(conmonPidFile);
    List<String> cmd = new ArrayList<>(r.dyingWithThis() ? Launch.dyingWithParent() : List.of());
    cmd.addAll(List.of("/bin/sh", "-c", r.child() ? AS_CHILD : AS_DAEMON));
    cmd.add(binary.toString());
    cmd.addAll(
        List.of(
            "--api-version", "1",
            "-c", r.id(),
            "-u", r.link(),
            "-n", r.name(),
            "-r", r.runtime().binary().toString(),
            "-b", r.bundle().toAbsolutePath().toString(),
            "-p", pidFile.toAbsolutePath().toString(),
            "-l", "k8s-file:" + r.log().toAbsolutePath(),
            "--exit-dir", r.exitDir().toAbsolutePath().toString(),
            "--socket-dir-path", r.socketDir().toAbsolutePath().toString(),
            "--log-level", "error"));
    for (String a : r.runtime().globalArgs()) {
      cmd.add("--runtime-arg");
      cmd.add(a);
    }
    if (r.child()) {
      cmd.add("--sync");
    } else {
      cmd.add("--conmon-pidfile");
      cmd.add(conmonPidFile.toAbsolutePath().toString());
    }
    if (r.terminal()) {
      cmd.add("-t");
    }
    if (r.stdin()) {
      cmd.add("-i");
      if (r.leaveStdinOpen()) {
        cmd.add("--leave-stdin-open");
      }
    }
    if (!r.exitCommand().isEmpty()) {
      cmd.add("--exit-command");
      cmd.add(r.exitCommand().get(0));
      for (String a : r.exitCommand().subList(1, r.exitCommand().size())) {
        cmd.add("--exit-command-arg");
        cmd.add(a);
      }
    }
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectInput(r.child() ? Redirect.from(new File("/dev/null")) : Redirect.PIPE)
            .redirectError(Redirect.appendTo(r.diagnostics().toFile()));
    pb.environment().put("_OCI_SYNCPIPE", "3");
    Process conmon = pb.start();
    String line;
    try (InputStream sync = conmon.getInputStream()) {
      line = readLine(sync);
    } finally {
      if (!r.child()) {
        conmon.getOutputStream().close(); // the shell's read ends, and with it the shell
      }
    }
    Optional<JsonObject> message = parse(line);
    long pid = message.isPresent() ? message.get().longValue("data", -1) : -1;
    if (pid > 0) {
      Files.deleteIfExists(r.runtime().log());
      if (r.child()) {
        return new Started(conmon.toHandle(), pid);
      }
      // Its first process wrote the pid file of the second before it exited, before the shell.
      awaitEnd(conmon);
      long monitor = Long.parseLong(Files.readString(conmonPidFile).strip());
      return new Started(
          ProcessHandle.of(monitor)
              .orElseThrow(() -> new OciRuntimeException("conmon ended at once")),
          pid);
    }
    awaitEnd(conmon);
    String said =
        message.isPresent()
            ? message.get().string("message")
            : "conmon ended without creating the container (see " + r.diagnostics() + ")";
    OciRuntimeException failure = r.runtime().failure(said);
    if (message.isPresent() && said != null && !said.isBlank()) {
      // The runtime's own words as it wrote them, for --debug; its log's are the message.
      failure.addSuppressed(new IOException("runtime stderr: " + said.strip()));
    }
    throw failure;
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c; (c = in.read()) >= 0 && c != '\n'; ) {
      b.append((char) c);
    }
    return new String(b.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  private static Optional<JsonObject> parse(String line) {
    if (line.isBlank()) {
      return Optional.empty();
    }
    try {
      return Optional.of(JsonObject.parse(line.getBytes(StandardCharsets.UTF_8)));
    } catch (IOException malformed) {
      return Optional.empty();
    }
  }

  private static void awaitEnd(Process p) {
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
