package dev.lamina.runner;

import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.posix.Rootless;
import dev.lamina.layerfs.store.FileLocks;
import dev.lamina.runner.runtime.OciRuntime;
import dev.lamina.runner.runtime.OciRuntimeException;
import dev.lamina.runner.runtime.RuntimeState;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What is done to an existing container: kill, stop, pause, work on its root filesystem, remove,
 * prune.
 */
final class ContainerControl {
  private final ContainerStore store;
  private final ContainerRuntimes runtimes;
  private final ContainerReaper reaper;
  private final ContainerQueries queries;

  ContainerControl(
      ContainerStore store,
      ContainerRuntimes runtimes,
      ContainerReaper reaper,
      ContainerQueries queries) {
    this.store = store;
    this.runtimes = runtimes;
    this.reaper = reaper;
    this.queries = queries;
  }

  /**
   * Freezes every process of a running container ({@code docker pause}); {@code ps} shows it as
   * paused until {@link #unpause}.
   *
   * @throws ContainerException when it is not running, or already paused
   */
  public ContainerRecord pause(String ref) throws IOException {
    return setPaused(ref, true);
  }

  /** Thaws a paused container. @throws ContainerException when it is not paused */
  public ContainerRecord unpause(String ref) throws IOException {
    return setPaused(ref, false);
  }

  private ContainerRecord setPaused(String ref, boolean paused) throws IOException {
    ContainerRecord r = queries.inspect(ref);
    if (r.state() != ContainerState.RUNNING) {
      throw new ContainerException("container " + r.name() + " is not running");
    }
    if (r.paused() == paused) {
      throw new ContainerException(
          "container " + r.name() + (paused ? " is already paused" : " is not paused"));
    }
    OciRuntime runtime = runtimes.of(r);
    queries.started(runtime, r, Instant.now().plus(Duration.ofSeconds(10)));
    if (paused) {
      runtime.pause(r.id());
    } else {
      runtime.resume(r.id());
    }
    return FileLocks.withExclusive(
        store.lock(),
        () -> {
          ContainerRecord now = store.read(store.dir(r.id())).orElse(r);
          ContainerRecord next = now.withPaused(paused);
          store.write(next);
          return next;
        });
  }

  /**
   * Runs {@code work} on the container's root filesystem, which does not change meanwhile: a
   * running container is paused (its processes frozen) and resumed after, as {@code docker cp}
   * does, so none of them can swap a path for a symlink between a check and a use
   * (CVE-2018-15664); a stopped one is mounted for the time, under the containers lock, so that
   * it cannot start meanwhile.
   */
  public <T> T withRootfs(String ref, Containers.RootfsWork<T> work) throws IOException {
    ContainerRecord r = queries.inspect(ref);
    Path cdir = store.dir(r.id());
    if (r.state() == ContainerState.RUNNING) {
      OciRuntime runtime = runtimes.of(r);
      Optional<RuntimeState> state =
          queries.started(runtime, r, Instant.now().plus(Duration.ofSeconds(10)));
      if (state.isPresent() && state.get().status().equals("paused")) {
        return work.on(RootfsAssembly.rootfs(cdir)); // paused by the user, and left so
      }
      if (state.isPresent() && state.get().status().equals("running")) {
        try {
          runtime.pause(r.id());
        } catch (IOException e) {
          if (!Rootless.active()) {
            throw e;
          }
          // Never copied unpaused (CVE-2018-15664): a user without a cgroup freezer stops it.
          throw new ContainerException("cannot pause container " + r.name() + " to work on its"
              + " files safely: this user has no cgroup freezer here (cgroup v2 not delegated);"
              + " stop it first");
        }
        try {
          return work.on(RootfsAssembly.rootfs(cdir));
        } finally {
          runtime.resume(r.id());
        }
      }
      // It ended meanwhile: once its monitor has recorded that, it is copied as a stopped one.
      queries.await(r.id(), Duration.ofSeconds(10));
    }
    return FileLocks.withExclusive(
        store.lock(),
        () -> {
          ContainerRecord now =
              store.read(cdir).orElseThrow(() -> new ContainerException("no such container: " + ref));
          if (now.state() == ContainerState.RUNNING) {
            throw new ContainerException("container " + now.name() + " started meanwhile; try again");
          }
          RootfsAssembly.mount(cdir, now.lowerPaths(), RootfsAssembly.Upper.KEPT);
          try {
            return work.on(RootfsAssembly.rootfs(cdir));
          } finally {
            RootfsAssembly.unmount(cdir);
          }
        });
  }

  // ---------------------------------------------------------------- signals

  /**
   * Sends {@code signal} to a running container.
   *
   * @throws ContainerException when it is not running
   */
  public void kill(String ref, String signal) throws IOException {
    ContainerRecord r = queries.inspect(ref);
    if (r.state() != ContainerState.RUNNING) {
      throw new ContainerException("container " + r.name() + " is not running");
    }
    markStoppedByUser(r);
    if (!signal(r, signal)) {
      throw new ContainerException("container " + r.name() + " is not running");
    }
  }

  /**
   * Records that the user ended it, before the signal: its restart policy, applied once it has
   * exited, must see that and leave it stopped, as docker's does.
   */
  private void markStoppedByUser(ContainerRecord r) throws IOException {
    store.update(r.id(), now -> now.toBuilder().stoppedByUser(true).build());
  }

  /**
   * {@link #stop(String, Duration)} with the container's own {@code --stop-timeout}, else 10
   * seconds (-1: no limit).
   */
  public ContainerRecord stop(String ref) throws IOException {
    ContainerRecord r = queries.inspect(ref);
    Integer t = r.stopTimeout();
    return stop(
        ref,
        t == null ? DEFAULT_STOP_TIMEOUT : t < 0 ? Duration.ofDays(365) : Duration.ofSeconds(t));
  }

  /** {@code stop}'s default wait before SIGKILL, as docker's. */
  public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Stops a running container: its image's StopSignal (or SIGTERM), then SIGKILL after {@code
   * timeout}. A container that is not running is left as it is.
   *
   * @return its record afterwards
   */
  public ContainerRecord stop(String ref, Duration timeout) throws IOException {
    ContainerRecord r = queries.inspect(ref);
    if (r.state() != ContainerState.RUNNING) {
      // Between two runs of its restart policy: the restart that is due does not happen.
      if (r.restartPolicy() != null) {
        markStoppedByUser(r);
      }
      return r;
    }
    String signal = r.stopSignal() == null || r.stopSignal().isBlank() ? "TERM" : r.stopSignal();
    markStoppedByUser(r);
    if (!signal(r, signal)) {
      return queries.await(r.id(), Duration.ofSeconds(10));
    }
    ContainerRecord after = queries.await(r.id(), timeout);
    if (after.state() == ContainerState.RUNNING) {
      signal(r, "KILL");
      after = queries.await(r.id(), Duration.ofSeconds(10));
    }
    return after;
  }

  /**
   * Sends {@code signal}, waiting out the moment between "recorded as running" and "started by
   * the runtime". False when the container is gone.
   *
   * <p>Why wait for the start: a container the runtime has created but not started is still the
   * runtime's own init process, waiting for the go. A signal sent then reaches that process,
   * which dies of it, and the monitor's start fails: a {@code stop} right after {@code run -d}
   * would record a failure (125) instead of the container's end.
   */
  private boolean signal(ContainerRecord r, String signal) throws IOException {
    OciRuntime runtime = runtimes.of(r);
    Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
    while (true) {
      Optional<RuntimeState> state = queries.started(runtime, r, deadline);
      boolean waiting = Instant.now().isBefore(deadline);
      if (state.isEmpty() || "stopped".equals(state.get().status())) {
        return false;
      }
      try {
        runtime.kill(r.id(), signal);
        if ("paused".equals(state.get().status())) {
          // A frozen process takes its signal only once thawed, as docker does it.
          runtime.resume(r.id());
          FileLocks.withExclusive(store.lock(), () -> {
            Optional<ContainerRecord> now = store.read(store.dir(r.id()));
            if (now.isPresent()) {
              store.write(now.get().withPaused(false));
            }
            return null;
          });
        }
        return true;
      } catch (OciRuntimeException e) {
        if (!waiting) {
          return false;
        }
        Times.sleep(Times.POLL); // it ended meanwhile, or is being deleted: the state says which
      }
    }
  }

  // ---------------------------------------------------------------- remove

  /**
   * Removes a container: unmounts it, deletes its writable layer and record, and with {@code
   * removeVolumes} its anonymous volumes. Named volumes are never removed.
   *
   * @param force kill it first when it runs
   * @throws ContainerException when it runs and {@code force} is not set
   */
  public void remove(String ref, boolean force, boolean removeVolumes) throws IOException {
    ContainerRecord r = queries.inspect(ref);
    if (r.state() == ContainerState.RUNNING) {
      if (!force) {
        throw new ContainerException(
            "container " + r.name() + " is running: stop it first, or remove it with force");
      }
      signal(r, "KILL");
      queries.await(r.id(), Duration.ofSeconds(10));
    }
    reaper.delete(r, true);
    if (removeVolumes) {
      reaper.removeAnonymousVolumes(r);
    }
  }

  /**
   * Removes every container that is not running (created or exited), with its anonymous volumes,
   * and the directories of containers whose record was lost (a crash while it was written).
   *
   * @return the ids removed
   * @throws IOException if listing or deleting fails
   */
  public List<String> prune() throws IOException {
    return prune(r -> true);
  }

  /**
   * Like {@link #prune()}, removing only the containers that are not running and that {@code
   * selected} accepts ({@code --filter until=...,label=...}); the directories without a record
   * go whatever it says, as they are no container a filter could describe.
   *
   * @return the ids removed
   * @throws IOException if listing or deleting fails
   */
  public List<String> prune(Predicate<ContainerRecord> selected) throws IOException {
    List<String> removed = new ArrayList<>();
    for (ContainerRecord r : queries.list(true)) {
      if (r.state() != ContainerState.RUNNING && selected.test(r)) {
        try {
          remove(r.id(), false, true);
          removed.add(r.id());
        } catch (ContainerException startedMeanwhile) {
          // It is running now: keep it.
        }
      }
    }
    removed.addAll(strays(true));
    return removed;
  }

  /**
   * The ids of container directories without a readable record (left by a crash, or by a create
   * or removal that failed in an older version): {@code ps} cannot show them nor {@code rm}
   * remove them. What a creator or a removal killed on the way left is first removed, as every
   * listing does, and only what of it stays (mounted) is reported, by its directory's name.
   * With {@code remove}, the directories without a record are unmounted and deleted (those that
   * stay mounted are kept), and the ids of containers being created that were swept are
   * returned too.
   *
   * @throws IOException if listing or deleting fails
   */
  public List<String> strays(boolean remove) throws IOException {
    List<String> found = new ArrayList<>();
    FileLocks.withExclusive(
        store.lock(),
        () -> {
          List<String> swept = store.removeLeftovers();
          found.addAll(remove ? swept : store.leftoverNames());
          if (Files.isDirectory(store.root())) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(store.root())) {
              for (Path e : entries) {
                String name = e.getFileName().toString();
                if (ContainerStore.ID.matcher(name).matches() && ContainerStore.readable(e).isEmpty()) {
                  if (!remove) {
                    found.add(name);
                    continue;
                  }
                  RootfsAssembly.unmount(e);
                  if (MountTable.mountPointsUnder(e).isEmpty()) {
                    store.delete(name, null);
                    found.add(name);
                  }
                }
              }
            }
          }
          return null;
        });
    found.sort(null);
    return found;
  }
}
