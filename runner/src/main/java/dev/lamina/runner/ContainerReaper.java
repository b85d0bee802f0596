package dev.lamina.runner;

import dev.lamina.runner.internal.Background;
import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.store.FileLocks;
import dev.lamina.runner.runtime.Cgroups;
import dev.lamina.runner.runtime.OciRuntime;
import dev.lamina.runner.runtime.RuntimeState;
import dev.lamina.runner.volume.Volumes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Cleans up after containers: deletes stopped ones (runtime state, mounts, directory), and brings
 * up to date a container recorded as running whose monitor is gone.
 */
final class ContainerReaper {
  private final ContainerStore store;
  private final ContainerRuntimes runtimes;
  private final Volumes volumes;
  private final ContainerNetworking networking;
  private final Path runDir;
  private final Path exitDir;
  private final Path attachDir;

  /**
   * @param runDir the store's run-time directory (under {@code /run}): containers' monitors
   *     write their exit codes there, apart from the store, so that a full store does not lose
   *     one, and make the short links to their bundles through which attach sockets are reached
   */
  ContainerReaper(
      ContainerStore store, ContainerRuntimes runtimes, Volumes volumes,
      ContainerNetworking networking, Path runDir) {
    this.store = store;
    this.runtimes = runtimes;
    this.volumes = volumes;
    this.networking = networking;
    this.runDir = runDir;
    this.exitDir = runDir.resolve("exits");
    this.attachDir = runDir.resolve("attach");
  }

  /** The store's run-time directory, which holds {@link #exitDir} and {@link #attachDir}. */
  Path runDir() {
    return runDir;
  }

  /** Where conmon makes the short links to bundles. */
  Path attachDir() {
    return attachDir;
  }

  /**
   * conmon's link to the bundle of container {@code id}, through which its attach socket is
   * reached ({@code LINK/attach}): named by the id's first 128 bits, so that the socket's path
   * stays within the 107 bytes a unix socket path may have, under a user's runtime directory too.
   */
  Path attachLink(String id) {
    return attachDir.resolve(id.substring(0, Math.min(32, id.length())));
  }

  /**
   * Deletes a stopped container's runtime state (when {@code runtimeState} may be left), mounts
   * and directory, under the lock.
   */
  void delete(ContainerRecord r, boolean runtimeState) throws IOException {
    Path cdir = store.dir(r.id());
    FileLocks.withExclusive(
        store.lock(),
        () -> {
          if (runtimeState) {
            try {
              runtimes.of(r).delete(r.id(), true);
            } catch (IOException | IllegalArgumentException ignored) {
              // A missing runtime must not keep a container from being removed.
            }
          }
          // Idempotent: a container that stopped normally was already taken off its networks.
          networking.tearDown(r.id(), r.networkMode());
          RootfsAssembly.unmount(cdir);
          // Never delete through a mount: a still-mounted rootfs would delete inside volumes.
          if (!MountTable.mountPointsUnder(cdir).isEmpty()) {
            throw new ContainerException(
                "container " + r.name() + " still has mounts under " + cdir);
          }
          store.delete(r);
          Files.deleteIfExists(exitDir.resolve(r.id()));
          return null;
        });
    store.report("destroy", r, java.util.Map.of());
  }

  void removeAnonymousVolumes(ContainerRecord r) {
    for (String v : r.anonymousVolumes()) {
      try {
        volumes.remove(v);
      } catch (IOException stillUsed) {
        // Another container uses it too; Docker keeps it then.
      }
    }
  }

  /** Where containers' monitors write their exit codes, each in a file named by its id. */
  Path exitDir() {
    return exitDir;
  }

  /** The exit code the monitor of container {@code id} wrote when it ended, if it did. */
  Optional<Integer> exitCode(String id) {
    try {
      return Optional.of(Integer.parseInt(Files.readString(exitDir.resolve(id)).strip()));
    } catch (IOException | NumberFormatException notWritten) {
      return Optional.empty();
    }
  }

  /**
   * Brings a running record up to date when its run has ended: its monitor (conmon) wrote the
   * exit code, or its monitor is gone (killed, or a host restart) and the runtime says the
   * container stopped (the exit code is then unknown). The run is finished ({@link #finish}),
   * whoever sees it first: this process, another command, or the monitor's exit command. Returns
   * null when the record is gone (removed with {@code --rm}).
   */
  ContainerRecord refresh(ContainerRecord r) throws IOException {
    if (r.state() == ContainerState.CREATED && unfinished(r)) {
      return discardUnfinished(r);
    }
    if (r.state() != ContainerState.RUNNING) {
      return r;
    }
    Path cdir = store.dir(r.id());
    OciRuntime runtime = runtimes.ofIfAny(r);
    if (exitCode(r.id()).isEmpty()) {
      if (monitorAlive(r)) {
        return r;
      }
      Optional<RuntimeState> state = runtime == null ? Optional.empty() : runtime.state(r.id());
      if (state.isPresent() && state.get().isRunning()
          && !"created".equals(state.get().status())) {
        // Its monitor died, but the container lives on (a killed conmon): stop, kill and rm
        // still reach it through the runtime, and finish it then.
        return r;
      }
      // Or the command starting it was killed between the runtime's create and its start: its
      // process waits in the runtime's init for a start that will never come, holding its
      // network. It is finished as any run that ended, its init killed by the runtime's delete.
    }
    boolean[] finished = {false};
    ContainerRecord done =
        FileLocks.withExclusive(
            store.lock(),
            () -> {
              Optional<ContainerRecord> cur = store.read(cdir);
              if (cur.isEmpty()
                  || cur.get().state() != ContainerState.RUNNING
                  || !java.util.Objects.equals(cur.get().startedAt(), r.startedAt())) {
                return cur.orElse(null);
              }
              Optional<Integer> code = exitCode(r.id());
              if (code.isEmpty() && monitorAlive(cur.get())) {
                return cur.get();
              }
              finished[0] = true;
              return finish(
                  cur.get(), runtime, code.orElse(null),
                  code.isPresent() ? null : "its monitor process disappeared");
            });
    if (finished[0]) {
      reportDeath(done);
    }
    return removeIfAuto(done);
  }

  /**
   * Whether {@code r} is the record of a container whose creation never finished: its creator
   * (a {@code run} or {@code create} killed with SIGKILL) is gone and it has no bundle. Records
   * of older versions, which name no creator, are left as they are.
   */
  private boolean unfinished(ContainerRecord r) {
    return r.monitorPid() != null
        && !Files.exists(store.dir(r.id()).resolve("config.json"))
        && !monitorAlive(r);
  }

  /**
   * Removes a container whose creation never finished, as the creator would have had it failed:
   * nothing of it ran, so there is no network or runtime state, only its directory and perhaps
   * its root filesystem's mount. Returns null, or the record as it is when someone else changed
   * it meanwhile.
   */
  private ContainerRecord discardUnfinished(ContainerRecord r) throws IOException {
    Path cdir = store.dir(r.id());
    return FileLocks.withExclusive(
        store.lock(),
        () -> {
          Optional<ContainerRecord> cur = store.read(cdir);
          if (cur.isEmpty()) {
            return null;
          }
          if (cur.get().state() != ContainerState.CREATED || !unfinished(cur.get())) {
            return cur.get();
          }
          RootfsAssembly.unmount(cdir);
          store.delete(cur.get());
          return null;
        });
  }

  /**
   * Ends a run, under the store's lock: reads whether the kernel killed it for memory (before its
   * cgroup goes), deletes its runtime state (killing what is left of it), takes it off its
   * networks, unmounts it, and records it as exited with {@code code} (null: unknown) and {@code
   * error}.
   */
  ContainerRecord finish(ContainerRecord r, OciRuntime runtime, Integer code, String error)
      throws IOException {
    boolean oom = false;
    if (runtime != null) {
      try {
        oom = r.memoryLimit() != null && Cgroups.oomKills(r.id()).orElse(0L) > 0;
      } catch (RuntimeException unreadable) {
        // Not known; the rest matters more.
      }
    }
    // Off its networks while the runtime deletes it and its root filesystem is unmounted: none
    // of these needs another (its namespace stays pinned until the teardown unpins it).
    Background<Void> network = networking.tearDownMeanwhile(r.id(), r.networkMode());
    ContainerRecord exited = r.exited(code, Times.now(), error, oom).withNetworkStatus(null);
    try {
      try {
        if (runtime != null) {
          try {
            runtime.delete(r.id(), true);
          } catch (IOException ignored) {
            // The unmount and the record matter more.
          }
        }
        // conmon removes its socket, but leaves its link to the bundle.
        Files.deleteIfExists(attachLink(r.id()));
        RootfsAssembly.unmount(store.dir(r.id()));
      } finally {
        network.await();
      }
    } finally {
      store.write(exited);
    }
    return exited;
  }

  /** Tells the store's events that {@code r}'s run ended ({@code die}, with its exit code). */
  void reportDeath(ContainerRecord r) {
    store.report(
        "die", r,
        java.util.Map.of("exitCode", String.valueOf(r.exitCode() == null ? -1 : r.exitCode())));
  }

  /** Removes a container started with {@code --rm} once it has exited; null when removed. */
  ContainerRecord removeIfAuto(ContainerRecord done) throws IOException {
    if (done != null && done.autoRemove() && done.state() == ContainerState.EXITED) {
      delete(done, false);
      removeAnonymousVolumes(done);
      return null;
    }
    return done;
  }

  static boolean monitorAlive(ContainerRecord r) {
    if (r.monitorPid() == null) {
      return false;
    }
    Optional<ProcessHandle> p = ProcessHandle.of(r.monitorPid());
    if (p.isEmpty() || !p.get().isAlive()) {
      return false;
    }
    Optional<Instant> started = p.get().info().startInstant();
    return r.monitorStarted() == null
        || started.isEmpty()
        || Times.text(started.get()).equals(r.monitorStarted());
  }
}
