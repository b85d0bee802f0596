package dev.lamina.runner;

import dev.lamina.layerfs.io.RandomIds;
import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.runner.internal.JsonFiles;
import dev.lamina.runner.runtime.OciRuntime;
import dev.lamina.runner.runtime.OciRuntimeException;
import dev.lamina.runner.runtime.RuntimeState;
import dev.lamina.runner.runtime.Stdio;
import dev.lamina.runner.spec.ImageUsers;
import dev.lamina.runner.spec.ResolvedUser;
import dev.lamina.runner.spec.RuntimeSpec;
import dev.lamina.runner.spec.RuntimeSpecCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One more process in a running container ({@code exec}). */
final class ContainerExec {
  private final ContainerStore store;
  private final ContainerRuntimes runtimes;
  private final ContainerQueries queries;

  ContainerExec(ContainerStore store, ContainerRuntimes runtimes, ContainerQueries queries) {
    this.store = store;
    this.runtimes = runtimes;
    this.queries = queries;
  }

  /**
   * Runs one more process in a running container, on this process's stdio (a terminal proxied by
   * the runtime with {@code -t}; stdin passed only when {@code interactive}), and returns its exit
   * code. It gets the container's environment (plus the request's), user, working directory,
   * capabilities and limits unless the request says otherwise.
   *
   * @throws ContainerException when the container is not running
   * @throws UnknownUserException when the user is not in the container's account files
   * @throws OciRuntimeException when the runtime could not start the process (its {@link
   *     OciRuntimeException#exitCode} says why)
   * @throws InterruptedException if interrupted while waiting; the process is killed
   */
  public int exec(String ref, ExecRequest request, boolean interactive)
      throws IOException, InterruptedException {
    return exec(ref, request, request.terminal() ? Stdio.inherit() : Stdio.piped(interactive));
  }

  /** {@link #exec(String, ExecRequest, boolean)} with the process's stdio as given. */
  int exec(String ref, ExecRequest request, Stdio stdio)
      throws IOException, InterruptedException {
    ContainerRecord r = queries.inspect(ref);
    if (r.state() != ContainerState.RUNNING) {
      throw new ContainerException("container " + r.name() + " is not running");
    }
    awaitRuntimeStarted(r);
    Path cdir = store.dir(r.id());
    RuntimeSpec spec = JsonFiles.read(cdir.resolve("config.json"), RuntimeSpecCodec.INSTANCE);
    RuntimeSpec.Process base = spec.process();
    RuntimeSpec.User user = base.user();
    RuntimeSpec.Capabilities caps = base.capabilities();
    if (request.user() != null) {
      ResolvedUser u = ImageUsers.resolve(RootfsAssembly.rootfs(cdir), request.user());
      user =
          new RuntimeSpec.User(
              u.uid(), u.gid(), u.additionalGids().isEmpty() ? null : u.additionalGids());
      List<String> held = u.uid() == 0 ? caps.bounding() : List.of();
      caps = new RuntimeSpec.Capabilities(caps.bounding(), held, held, List.of());
    }
    Map<String, String> env = new LinkedHashMap<>();
    for (String e : base.env()) {
      int eq = e.indexOf('=');
      env.put(e.substring(0, eq), e.substring(eq + 1));
    }
    for (String e : request.env()) {
      int eq = e.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("environment entry is not KEY=VALUE: " + e);
      }
      env.put(e.substring(0, eq), e.substring(eq + 1));
    }
    if (request.terminal()) {
      env.putIfAbsent("TERM", "xterm");
    }
    List<String> envList = new ArrayList<>();
    env.forEach((k, v) -> envList.add(k + "=" + v));
    String cwd = base.cwd();
    if (request.workdir() != null) {
      if (!request.workdir().startsWith("/")) {
        throw new IllegalArgumentException(
            "working directory must be absolute: " + request.workdir());
      }
      cwd = dev.lamina.runner.spec.ContainerPaths.clean(request.workdir());
    }
    RuntimeSpec.Process process =
        new RuntimeSpec.Process(
            request.terminal(),
            null,
            user,
            request.args(),
            envList,
            cwd,
            caps,
            base.rlimits(),
            base.noNewPrivileges());
    Path file = cdir.resolve("exec-" + RandomIds.hex64().substring(0, 12) + ".json");
    AtomicFiles.write(file, JsonWriter.toBytes(process, RuntimeSpecCodec.PROCESS), false);
    try {
      return runtimes.of(r).exec(r.id(), file, stdio, true);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * Waits out the moment between "recorded as running" and "started by the runtime" (a monitor
   * just launched), during which the runtime does not know the container yet.
   */
  private void awaitRuntimeStarted(ContainerRecord r) throws IOException {
    OciRuntime runtime = runtimes.of(r);
    Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
    while (Instant.now().isBefore(deadline)) {
      Optional<RuntimeState> state = runtime.state(r.id());
      if (state.isPresent() && "running".equals(state.get().status())) {
        return;
      }
      Times.sleep(Times.POLL);
    }
  }
}
