package dev.lamina.runner;

import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.store.FileLocks;
import dev.lamina.layerfs.store.Trees;
import dev.lamina.runner.runtime.OciRuntime;
import dev.lamina.runner.runtime.RuntimeState;
import dev.lamina.runner.volume.Volumes;
import java.io.IOException;
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

  ContainerReaper(
      ContainerStore store, ContainerRuntimes runtimes, Volumes volumes,
      ContainerNetworking networking) {
    this.store = store;
    this.runtimes = runtimes;
    this.volumes = volumes;
    this.networking = networking;
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
          Trees.deleteRecursively(cdir);
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

  /**
   * Brings a running record up to date when its monitor is gone (a killed monitor or foreground
   * CLI, a host restart): if the runtime says the container stopped, it is marked exited (exit
   * code unknown) and unmounted, and removed when it was started with {@code --rm}. Returns null
   * when the record is gone.
   */
  ContainerRecord refresh(ContainerRecord r) throws IOException {
    if (r.state() != ContainerState.RUNNING || monitorAlive(r)) {
      return r;
    }
    OciRuntime runtime = runtimes.ofIfAny(r);
    Optional<RuntimeState> state = runtime == null ? Optional.empty() : runtime.state(r.id());
    if (state.isPresent() && state.get().isRunning()) {
      // Its monitor died, but the container lives on (a foreground CLI killed while its
      // container ignored the SIGTERM passed on to it): stop, kill and rm still reach it.
      return r;
    }
    ContainerRecord done =
        FileLocks.withExclusive(
            store.lock(),
            () -> {
              Optional<ContainerRecord> cur = store.read(store.dir(r.id()));
              if (cur.isEmpty()
                  || cur.get().state() != ContainerState.RUNNING
                  || monitorAlive(cur.get())) {
                return cur.orElse(null);
              }
              if (runtime != null) {
                runtime.delete(r.id(), true);
              }
              networking.tearDown(r.id(), r.networkMode());
              RootfsAssembly.unmount(store.dir(r.id()));
              ContainerRecord exited =
                  cur.get()
                      .exited(null, Times.now(), "its monitor process disappeared", false)
                      .withNetworkStatus(null);
              store.write(exited);
              return exited;
            });
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
        || started.get().toString().equals(r.monitorStarted());
  }
}
