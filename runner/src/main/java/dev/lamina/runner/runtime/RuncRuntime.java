package dev.lamina.runner.runtime;

import dev.lamina.layerfs.json.JsonObject;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * runc, or a runtime with runc's command line (crun). Its state lives under a root of Lamina's own
 * ({@code --root}), so Lamina's containers never mix with podman's or Docker's. Each call writes
 * the runtime's log as JSON to a file of its own, from which a failure is reported in one line.
 */
public final class RuncRuntime implements OciRuntime {
  private final String name;
  private final Path binary;
  private final Path stateRoot;
  private final Path logDir;

  /**
   * @param name the runtime's name ({@code runc}, {@code crun})
   * @param binary its executable
   * @param stateRoot its {@code --root}, created when missing
   */
  public RuncRuntime(String name, Path binary, Path stateRoot) {
    this.name = name;
    this.binary = binary;
    this.stateRoot = stateRoot.toAbsolutePath();
    // Not inside the state root: runc treats every entry there as a container.
    this.logDir = this.stateRoot.resolveSibling(this.stateRoot.getFileName() + ".logs");
  }

  @Override
  public String name() {
    return name;
  }

  public Path binary() {
    return binary;
  }

  /** Its {@code --root}: where it keeps the state of Lamina's containers. */
  public Path stateRoot() {
    return stateRoot;
  }

  private List<String> command(Path log, String... args) throws IOException {
    Files.createDirectories(stateRoot);
    Files.createDirectories(logDir);
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.add("--root=" + stateRoot);
    cmd.add("--log=" + log);
    cmd.add("--log-format=json");
    cmd.addAll(List.of(args));
    return cmd;
  }

  private Path freshLog(String id, String verb) throws IOException {
    Files.createDirectories(logDir);
    Path log = logDir.resolve(id + "." + verb + ".log");
    Files.deleteIfExists(log);
    return log;
  }

  @Override
  public int run(String id, Path bundle, Stdio stdio, boolean keep, boolean forwardSignals)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("run", "--bundle=" + bundle.toAbsolutePath()));
    if (keep) {
      args.add("--keep");
    }
    args.add(id);
    return foreground(id, "run", args, stdio, forwardSignals);
  }

  @Override
  public int exec(String id, Path process, Stdio stdio, boolean forwardSignals)
      throws IOException, InterruptedException {
    List<String> args = List.of("exec", "--process=" + process.toAbsolutePath(), id);
    return foreground(id, "exec", args, stdio, forwardSignals);
  }

  /**
   * Runs {@code runc run} or {@code runc exec} in the foreground and returns the process's exit
   * code. The runtime gets a session of its own ({@code setsid}), so the terminal's Ctrl-C reaches
   * only this process, which forwards it once; and it gets SIGTERM should this process die
   * ({@code setpriv --pdeathsig}), which it passes to the container, so a killed CLI does not
   * silently leave its container running. With a terminal ({@code process.terminal} and no
   * console socket) the runtime itself puts this process's terminal in raw mode and proxies it.
   *
   * <p>The runtime's stderr is always copied by this process (with a terminal it carries only the
   * runtime's own messages, the terminal carries the process's output): a process the runtime
   * cannot start (a command not found) is reported by the runtime on its stderr as well as in its
   * log, and the caller reports it from the log, once, in its own words. So the output is held
   * until the runtime has written its {@code --pid-file}, which it does once the process runs
   * (from then on, the process's stderr reaches this process's at once); when none was written
   * and the runtime failed, what it wrote on stderr is left out.
   */
  private int foreground(
      String id, String verb, List<String> args, Stdio stdio, boolean forwardSignals)
      throws IOException, InterruptedException {
    Path log = freshLog(id, verb);
    Path pidFile = logDir.resolve(id + "." + verb + ".pid");
    Files.deleteIfExists(pidFile);
    List<String> withPid = new ArrayList<>(args);
    withPid.add(1, "--pid-file=" + pidFile);
    List<String> cmd = new ArrayList<>(Launch.ownSessionDyingWithParent());
    cmd.addAll(command(log, withPid.toArray(String[]::new)));
    ProcessBuilder pb = stdio.applyTo(new ProcessBuilder(cmd));
    if (stdio.err() == Redirect.INHERIT) {
      pb.redirectError(Redirect.PIPE);
    }
    Process p = pb.start();
    OutputTee tee =
        pb.redirectError() == Redirect.PIPE
            ? OutputTee.start(p, stdio.piped(), stdio.teeLog(), stdio.echo())
            : null;
    int code = -1;
    boolean ended = false;
    try (SignalForwarder f = forwardSignals ? new SignalForwarder(p) : null) {
      if (tee != null) {
        // Only until the process runs: the runtime writes the file a moment after its start.
        while (!p.waitFor(5, java.util.concurrent.TimeUnit.MILLISECONDS)) {
          if (Files.exists(pidFile)) {
            tee.release();
            break;
          }
        }
      }
      code = p.waitFor();
      ended = true;
    } catch (InterruptedException e) {
      if (verb.equals("run")) {
        try {
          kill(id, "KILL");
        } catch (IOException ignored) {
          // Already gone.
        }
      } else {
        p.destroyForcibly();
      }
      p.waitFor();
      throw e;
    } finally {
      try {
        if (tee != null) {
          tee.finish(ended && code != 0 && !Files.exists(pidFile) && lastError(log).isPresent());
        }
      } finally {
        Files.deleteIfExists(pidFile);
      }
    }
    try {
      Optional<String> error = lastError(log);
      if (code != 0 && error.isPresent()) {
        throw failure(verb, error.get());
      }
      return code;
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Override
  public void create(String id, Path bundle, Stdio stdio) throws IOException {
    Path log = freshLog(id, "create");
    ProcessBuilder pb =
        new ProcessBuilder(command(log, "create", "--bundle=" + bundle.toAbsolutePath(), id))
            .redirectInput(stdio.in())
            .redirectOutput(stdio.out())
            .redirectError(stdio.err());
    finish("create", log, waitFor(pb.start()));
  }

  @Override
  public Optional<RuntimeCommand> command(String id) throws IOException {
    Files.createDirectories(stateRoot);
    Path log = freshLog(id, "create");
    return Optional.of(
        new RuntimeCommand(
            name, binary, List.of("--root=" + stateRoot, "--log=" + log, "--log-format=json"), log));
  }

  @Override
  public void start(String id) throws IOException {
    call(id, "start", id);
  }

  @Override
  public Optional<RuntimeState> state(String id) throws IOException {
    Captured c = capture(id, "state", id);
    if (c.error() != null) {
      if (isUnknownContainer(c.error())) {
        return Optional.empty();
      }
      throw failure("state", c.error());
    }
    return Optional.of(runtimeState(c.out()));
  }

  /** What a call printed, and the runtime's error when it failed (null when it did not). */
  private record Captured(byte[] out, String error) {}

  /** Runs {@code verb args} and keeps its stdout; its log says why when it fails. */
  private Captured capture(String id, String verb, String... args) throws IOException {
    Path log = freshLog(id, verb);
    List<String> argv = new ArrayList<>(List.of(verb));
    argv.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(command(log, argv.toArray(String[]::new)))
            .redirectInput(Redirect.from(Path.of("/dev/null").toFile()))
            .redirectError(Redirect.DISCARD);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    int code = waitFor(p);
    try {
      return new Captured(out, code == 0 ? null : lastError(log).orElse("exit status " + code));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Override
  public ResourceUsage usage(String id) throws IOException {
    Captured c = capture(id, "events", "--stats", id);
    if (c.error() != null) {
      throw failure("events", c.error());
    }
    JsonObject event = JsonObject.parse(c.out());
    if (!event.isObject("data")) {
      throw new OciRuntimeException(name + " events gave no statistics");
    }
    return ResourceUsage.of(event.object("data"));
  }

  @Override
  public String processes(String id, List<String> psOptions) throws IOException {
    List<String> args = new ArrayList<>(List.of(id));
    args.addAll(psOptions);
    Captured c = capture(id, "ps", args.toArray(String[]::new));
    if (c.error() != null) {
      throw failure("ps", c.error());
    }
    return new String(c.out(), StandardCharsets.UTF_8);
  }

  @Override
  public void kill(String id, String signal) throws IOException {
    call(id, "kill", id, signal);
  }

  @Override
  public void pause(String id) throws IOException {
    call(id, "pause", id);
  }

  @Override
  public void resume(String id) throws IOException {
    call(id, "resume", id);
  }

  @Override
  public void delete(String id, boolean force) throws IOException {
    try {
      if (force) {
        call(id, "delete", "--force", id);
      } else {
        call(id, "delete", id);
      }
    } catch (OciRuntimeException e) {
      if (!isUnknownContainer(e.getMessage())) {
        throw e;
      }
    }
  }

  private void call(String id, String verb, String... args) throws IOException {
    Path log = freshLog(id, verb);
    List<String> argv = new ArrayList<>(List.of(verb));
    argv.addAll(List.of(args).subList(0, args.length));
    ProcessBuilder pb =
        new ProcessBuilder(command(log, argv.toArray(String[]::new)))
            .redirectInput(Redirect.from(Path.of("/dev/null").toFile()))
            .redirectOutput(Redirect.DISCARD)
            .redirectError(Redirect.DISCARD);
    finish(verb, log, waitFor(pb.start()));
  }

  private void finish(String verb, Path log, int code) throws IOException {
    try {
      if (code != 0) {
        throw failure(verb, lastError(log).orElse("exit status " + code));
      }
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static int waitFor(Process p) throws IOException {
    try {
      return p.waitFor();
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting for the OCI runtime", e);
    }
  }

  private static boolean isUnknownContainer(String error) {
    String e = error.toLowerCase(java.util.Locale.ROOT);
    return e.contains("does not exist") || e.contains("not found") && e.contains("container");
  }

  private OciRuntimeException failure(String verb, String error) {
    return RuntimeErrors.failure(name, verb, error);
  }

  /** The runtime's {@code state} output; fields Lamina does not use are ignored. */
  static RuntimeState runtimeState(byte[] json) throws IOException {
    try {
      JsonObject o = JsonObject.parse(json);
      return new RuntimeState(
          o.string("id"), o.string("status"), o.longValue("pid", 0), o.string("bundle"));
    } catch (IOException e) {
      throw new IOException("malformed runtime state JSON: " + e.getMessage(), e);
    }
  }

  /** The message of the last error-level entry of a JSON runtime log. */
  static Optional<String> lastError(Path log) throws IOException {
    if (!Files.exists(log)) {
      return Optional.empty();
    }
    String last = null;
    for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
      if (line.isBlank()) {
        continue;
      }
      try {
        JsonObject entry = JsonObject.parse(line.getBytes(StandardCharsets.UTF_8));
        String level = entry.string("level");
        if ("error".equals(level) || "fatal".equals(level)) {
          last = Objects.requireNonNullElse(entry.string("msg"), "");
        }
      } catch (IOException notJson) {
        last = line.strip();
      }
    }
    return Optional.ofNullable(last);
  }
}
