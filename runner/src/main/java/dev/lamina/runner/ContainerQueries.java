package dev.lamina.runner;

import dev.lamina.runner.internal.JsonFiles;
import dev.lamina.runner.runtime.OciRuntime;
import dev.lamina.runner.runtime.ResourceUsage;
import dev.lamina.runner.runtime.RuntimeState;
import dev.lamina.runner.spec.RuntimeSpecCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** What containers there are and what they do: ps, inspect, top, stats, logs, wait. */
final class ContainerQueries {
  private final ContainerStore store;
  private final ContainerRuntimes runtimes;
  private final ContainerReaper reaper;

  ContainerQueries(ContainerStore store, ContainerRuntimes runtimes, ContainerReaper reaper) {
    this.store = store;
    this.runtimes = runtimes;
    this.reaper = reaper;
  }

  /**
   * The container named {@code ref}: its full id, a unique id prefix, or its name. A container
   * whose monitor is gone is brought up to date first (shown as exited, unmounted).
   *
   * @throws ContainerException when none or several match
   */
  public ContainerRecord inspect(String ref) throws IOException {
    ContainerRecord r = reaper.refresh(store.find(ref));
    if (r == null) {
      throw new ContainerException("no such container: " + ref);
    }
    return r;
  }

  /**
   * The container whose full id is {@code id}, brought up to date; empty when there is none (it
   * was removed). Reads its record alone, not every container's as {@link #inspect} may.
   */
  public Optional<ContainerRecord> byId(String id) throws IOException {
    Optional<ContainerRecord> r = store.read(store.dir(id));
    return r.isEmpty() ? Optional.empty() : Optional.ofNullable(reaper.refresh(r.get()));
  }

  /**
   * Containers, newest first: the running ones, or all with {@code all} (for {@code ps -a}).
   *
   * @throws IOException if the records cannot be read
   */
  public List<ContainerRecord> list(boolean all) throws IOException {
    // What a creator or a removal killed on the way left: never a container, so never listed.
    store.removeLeftovers();
    List<ContainerRecord> out = new ArrayList<>();
    for (ContainerRecord r : store.readAll()) {
      ContainerRecord fresh = reaper.refresh(r);
      if (fresh != null && (all || fresh.state() == ContainerState.RUNNING)) {
        out.add(fresh);
      }
    }
    // Not Comparator.comparing: its lambda is spun at run time, not archived.
    out.sort((a, b) -> b.created().compareTo(a.created()));
    return out;
  }

  /**
   * The log of a container: the stdout and stderr of its runs, detached or in the foreground
   * (not with a terminal), in arrival order.
   */
  public Path logFile(String ref) throws IOException {
    return store.dir(store.find(ref).id()).resolve(Containers.LOG);
  }

  /**
   * The processes of a running container, as {@code docker top} shows them.
   *
   * @throws ContainerException when it is not running
   */
  public String processes(String ref, List<String> psOptions) throws IOException {
    ContainerRecord r = inspect(ref);
    if (r.state() != ContainerState.RUNNING) {
      throw new ContainerException("container " + r.name() + " is not running");
    }
    OciRuntime runtime = runtimes.of(r);
    Optional<RuntimeState> state = started(runtime, r, Instant.now().plus(Duration.ofSeconds(10)));
    if (dev.lamina.layerfs.posix.Rootless.active()
        && dev.lamina.runner.runtime.Cgroups.delegatedControllers().isEmpty()) {
      // The runtime finds processes by the container's cgroup, which a user has none of here.
      if (state.isEmpty() || state.get().pid() <= 0) {
        throw new ContainerException("container " + r.name() + " is not running");
      }
      return NamespaceProcesses.list(state.get().pid(), psOptions);
    }
    return runtime.processes(r.id(), psOptions);
  }


  /**
   * A running container's use of CPU, memory and processes now.
   *
   * @throws ContainerException when it is not running
   */
  public ResourceUsage usage(String ref) throws IOException {
    ContainerRecord r = inspect(ref);
    if (r.state() != ContainerState.RUNNING) {
      throw new ContainerException("container " + r.name() + " is not running");
    }
    requireUsage();
    OciRuntime runtime = runtimes.of(r);
    started(runtime, r, Instant.now().plus(Duration.ofSeconds(10)));
    return runtime.usage(r.id());
  }

  /**
   * Checks that {@link #usage} can be had here at all, whatever the container.
   *
   * @throws ContainerException for a user without delegated cgroups: the runtime reads the
   *     container's cgroup, which there is none of, and its figures would all be zero (refused,
   *     as podman refuses it)
   */
  public void requireUsage() throws ContainerException {
    if (dev.lamina.layerfs.posix.Rootless.active()
        && dev.lamina.runner.runtime.Cgroups.delegatedControllers().isEmpty()) {
      throw new ContainerException("stats are not available to an unprivileged user here: they"
          + " need cgroup v2 delegated to the user (this host has none delegated)");
    }
  }

  /**
   * The host's process id of a running container's first process (inspect's {@code State.Pid}),
   * as its runtime reports it; 0 when it is not running, as docker's.
   */
  public long pid(ContainerRecord r) throws IOException {
    if (r.state() != ContainerState.RUNNING) {
      return 0;
    }
    return runtimes.of(r).state(r.id()).map(RuntimeState::pid).orElse(0L);
  }

  /** Whether the container's process has a terminal ({@code -t}). */
  public boolean hasTerminal(String ref) throws IOException {
    Path cdir = store.dir(store.find(ref).id());
    return JsonFiles.read(cdir.resolve("config.json"), RuntimeSpecCodec.INSTANCE)
        .process()
        .terminal();
  }

  /** The runtime bundle directory ({@code config.json}) of a container. */
  public Path bundle(String ref) throws IOException {
    return store.dir(store.find(ref).id());
  }

  /**
   * Waits until the container is no longer running, for at most {@code timeout}.
   *
   * @return its record then (exited or still running when the time ran out)
   */
  public ContainerRecord await(String ref, Duration timeout) throws IOException {
    ContainerRecord r = store.find(ref);
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      Optional<ContainerRecord> now = store.read(store.dir(r.id()));
      if (now.isEmpty()) {
        return r.exited(null, Times.now(), null, false);
      }
      ContainerRecord fresh = reaper.refresh(now.get());
      if (fresh == null
          || fresh.state() != ContainerState.RUNNING
          || !Instant.now().isBefore(deadline)) {
        return fresh == null ? r.exited(null, Times.now(), null, false) : fresh;
      }
      Times.sleep(Times.POLL);
    }
  }

  /**
   * The runtime's state of a container recorded as running, once the runtime has started it (or
   * it has stopped, or its monitor is gone, or {@code deadline} has passed): between "recorded
   * as running" and "started", the runtime's own init stands in for its process.
   */
  Optional<RuntimeState> started(OciRuntime runtime, ContainerRecord r, Instant deadline)
      throws IOException {
    while (true) {
      Optional<RuntimeState> state = runtime.state(r.id());
      boolean beforeStart =
          state.isEmpty()
              || !Set.of("running", "stopped", "paused").contains(state.get().status());
      if (!beforeStart || !Instant.now().isBefore(deadline) || !ContainerReaper.monitorAlive(r)) {
        return state;
      }
      Times.sleep(Times.POLL);
    }
  }
}
