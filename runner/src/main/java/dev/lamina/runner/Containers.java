package dev.lamina.runner;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.posix.NativeFunctions;
import dev.lamina.layerfs.store.StoreRoots;
import dev.lamina.runner.network.NetworkDefaults;
import dev.lamina.runner.network.Networks;
import dev.lamina.runner.runtime.AttachClient;
import dev.lamina.runner.runtime.RuntimeSource;
import dev.lamina.runner.runtime.ResourceUsage;
import dev.lamina.runner.runtime.Stdio;
import dev.lamina.runner.volume.Volumes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The containers of a store, under {@code $LAMINA_ROOT/containers/<id>/}: {@code container.json}
 * (the record), {@code config.json} (the runtime bundle), {@code upper/} and {@code work/} (the
 * disposable writable layer), {@code rootfs/} (where the overlay is mounted while it runs) and
 * {@code ctr.log} (its output, in the k8s-file format its monitor, conmon, writes).
 *
 * <p>The overlay is mounted only while a container runs, and every exit path unmounts it; a
 * container that ended is finished by its monitor's exit command or by whichever command sees it
 * first, and one whose monitor died is found by {@link #list} and cleaned up then, so no mount
 * outlives its container. Records change only under {@code containers/.lock}.
 */
public final class Containers {
  static final String LOG = "ctr.log";

  private final Volumes volumes;
  private final ContainerQueries queries;
  private final ContainerLifecycle lifecycle;
  private final ContainerControl control;
  private final ContainerExec exec;
  private final ContainerNetworking networking;
  private final HealthChecks health;
  private final ContainerStore store;
  private final RestartPolicies restarts;

  private Containers(
      Path root, ExitCommand exitCommand, RuntimeSource runtimeSource, NetworkDefaults defaults) {
    // Container commands mount root filesystems and talk to monitors through jffi: its loading
    // overlaps with the command's store and image work instead of waiting for the first call.
    NativeFunctions.loadInBackground();
    Path laminaRoot = root.toAbsolutePath().normalize();
    ContainerStore store = new ContainerStore(laminaRoot.resolve("containers"));
    this.store = store;
    ContainerRuntimes runtimes = new ContainerRuntimes(runtimeSource);
    this.volumes = Volumes.at(laminaRoot, store::volumesInUse);
    this.networking =
        new ContainerNetworking(store, laminaRoot, defaults);
    ContainerReaper reaper =
        new ContainerReaper(
            store, runtimes, volumes, networking, runtimeDir(laminaRoot));
    this.queries = new ContainerQueries(store, runtimes, reaper);
    this.lifecycle =
        new ContainerLifecycle(
            laminaRoot, store, runtimes, reaper, queries, volumes, exitCommand, networking);
    this.control = new ContainerControl(store, runtimes, reaper, queries);
    this.exec = new ContainerExec(store, runtimes, queries);
    this.health = new HealthChecks(store, queries, exec);
    this.restarts = new RestartPolicies(store, lifecycle);
  }

  /** The records and their lock (for tests in this package). */
  ContainerStore store() {
    return store;
  }

  /** Reports container events to {@code listener} instead of the store's event journal. */
  public Containers reportEventsTo(dev.lamina.layerfs.events.EventListener listener) {
    store.reportEventsTo(listener);
    return this;
  }

  /** Health checks of its containers ({@code lamina healthcheck run}). */
  public HealthChecks healthChecks() {
    return health;
  }

  /** Restart policies, applied when a container has exited. */
  public RestartPolicies restartPolicies() {
    return restarts;
  }

  /**
   * The containers of the store at {@code laminaRoot}, run under the runtimes {@code runtimes}
   * gives and monitored by conmon, which runs {@code exitCommand} when one ends.
   */
  public static Containers open(
      Path laminaRoot, ExitCommand exitCommand, RuntimeSource runtimes) {
    return new Containers(laminaRoot, exitCommand, runtimes, NetworkDefaults.standard());
  }

  /** The same, with the default network made from {@code defaults} on first use. */
  public static Containers open(
      Path laminaRoot, ExitCommand exitCommand, RuntimeSource runtimes,
      NetworkDefaults defaults) {
    return new Containers(laminaRoot, exitCommand, runtimes, defaults);
  }

  /**
   * The store's own run-time directory (conmon's exit files and short links to bundles): under
   * the runtime directory ({@code /run/lamina} for root, the user's own otherwise, see {@link
   * StoreRoots#runtimeDir}), a tmpfs, so that a host restart leaves none of it; one directory per
   * store, named by a hash of its path. Network state is host-wide, elsewhere (see {@link
   * dev.lamina.runner.network.NetworkDirectories}).
   */
  static Path runtimeDir(Path laminaRoot) {
    return StoreRoots.runtimeDir()
        .resolve(Digest.sha256(laminaRoot.toString()).hex().substring(0, 16));
  }

  /** The store's networks, which know which of them these containers use. */
  public Networks networks() {
    return networking.networks();
  }

  /**
   * What {@code inspect} shows of a container's networks: while it runs, what they gave it (its
   * record's {@link ContainerRecord#networkStatus}); when it does not, each network it joins at
   * its start, without addresses; null for a container without networks of its own.
   */
  public dev.lamina.runner.network.NetworkStatus shownNetworks(ContainerRecord r)
      throws IOException {
    return networking.shownStatus(r);
  }

  /**
   * {@code network connect NETWORK CONTAINER}: joins the container to one more network, at once
   * when it runs, and at every later start.
   *
   * @throws ContainerException when there is no such container
   * @throws dev.lamina.runner.network.NetworkException when it has no network namespace of its
   *     own, the network is unknown or joined already, or setup fails
   */
  public ContainerRecord connect(String ref, dev.lamina.runner.network.NetworkRequest.Connection c)
      throws IOException {
    ContainerRecord r = queries.inspect(ref);
    ContainerRecord out = networking.connect(r, c);
    if (out == null) {
      throw new ContainerException("no such container: " + ref);
    }
    return out;
  }

  /**
   * {@code network disconnect [-f] NETWORK CONTAINER}: takes the container off a network, at
   * once when it runs, and for good.
   *
   * @throws ContainerException when there is no such container
   * @throws dev.lamina.runner.network.NetworkException when it is not on that network, or that
   *     is its only one
   */
  public ContainerRecord disconnect(String ref, String network, boolean force) throws IOException {
    ContainerRecord r = queries.inspect(ref);
    ContainerRecord out = networking.disconnect(r, network, force);
    if (out == null) {
      throw new ContainerException("no such container: " + ref);
    }
    return out;
  }

  /**
   * Takes off their networks containers that are not running (after a crash), and returns their
   * ids; and deletes the run-time network directories of removed stores. {@link #prune} does it
   * too, and so does {@code system prune}.
   */
  public List<String> reconcileNetworks() throws IOException {
    return networking.reconcile();
  }

  /**
   * Where the index of container names disagrees with the records ({@code system check}); with
   * {@code repair}, the index is rebuilt from the records.
   *
   * @throws IOException if the records or the index cannot be read, or the index rebuilt
   */
  public ContainerNameCheck checkNames(boolean repair) throws IOException {
    return store.checkNames(repair);
  }

  /** The store's volumes, which know which of them these containers use. */
  public Volumes volumes() {
    return volumes;
  }

  // ---------------------------------------------------------------- lifecycle

  /**
   * Creates a container: its record, its empty writable layer, its volumes (named volumes are
   * created and, when empty, filled from the image) and its runtime bundle. Nothing runs yet.
   *
   * @throws ContainerException when the name is invalid or taken
   * @throws IOException when the image's user is unknown, a bind source is missing, or the
   *     overlay cannot be mounted; nothing is left behind then
   */
  public ContainerRecord create(ContainerRequest request) throws IOException {
    return lifecycle.create(request);
  }

  /** See {@link ContainerLifecycle#run}. */
  public int run(ContainerRequest request, Stdio stdio, boolean forwardSignals)
      throws IOException, InterruptedException {
    return lifecycle.run(request, stdio, forwardSignals);
  }

  /** See {@link ContainerLifecycle#runAttached}. */
  public ContainerSession runAttached(
      ContainerRequest request, java.util.function.Consumer<ContainerRecord> onCreated,
      dev.lamina.runner.spec.RuntimeSpec.ConsoleSize size) throws IOException {
    return lifecycle.runAttached(request, onCreated, size);
  }

  /** See {@link ContainerLifecycle#startAttached(String, boolean, dev.lamina.runner.spec.RuntimeSpec.ConsoleSize)}. */
  public ContainerSession startAttached(
      String ref, dev.lamina.runner.spec.RuntimeSpec.ConsoleSize size) throws IOException {
    return lifecycle.startAttached(ref, false, size);
  }

  /** See {@link ContainerLifecycle#startAttached}. */
  public int startAttached(String ref, Stdio stdio, boolean forwardSignals)
      throws IOException, InterruptedException {
    return lifecycle.startAttached(ref, stdio, forwardSignals);
  }

  /** See {@link ContainerLifecycle#start}. */
  public ContainerRecord start(String ref) throws IOException {
    return lifecycle.start(ref);
  }

  /** See {@link ContainerLifecycle#runDetached}. */
  public ContainerRecord runDetached(
      ContainerRequest request, java.util.function.Consumer<ContainerRecord> onCreated)
      throws IOException {
    return lifecycle.runDetached(request, onCreated);
  }

  /** See {@link ContainerLifecycle#attach(String, int, int)}. */
  public AttachClient attach(String ref, int rows, int columns) throws IOException {
    return lifecycle.attach(ref, rows, columns);
  }

  /**
   * Finishes container {@code id} if its run has ended (what its monitor's exit command asks):
   * exit code recorded, runtime state deleted, networks torn down, unmounted, removed with
   * {@code --rm}. A container that is gone, or still runs, is left as it is.
   */
  public void cleanUp(String id) throws IOException {
    try {
      queries.inspect(id);
    } catch (ContainerException gone) {
      // Removed already.
    }
  }

  // ---------------------------------------------------------------- queries

  /** See {@link ContainerQueries#inspect}. */
  public ContainerRecord inspect(String ref) throws IOException {
    return queries.inspect(ref);
  }

  /** See {@link ContainerQueries#byId}. */
  public java.util.Optional<ContainerRecord> byId(String id) throws IOException {
    return queries.byId(id);
  }

  /** See {@link ContainerQueries#list}. */
  public List<ContainerRecord> list(boolean all) throws IOException {
    return queries.list(all);
  }

  /** See {@link ContainerQueries#logFile}. */
  public Path logFile(String ref) throws IOException {
    return queries.logFile(ref);
  }

  /** See {@link ContainerQueries#processes}. */
  public String processes(String ref, List<String> psOptions) throws IOException {
    return queries.processes(ref, psOptions);
  }

  /** See {@link ContainerQueries#requireUsage}. */
  public void requireUsage() throws ContainerException {
    queries.requireUsage();
  }

  /** See {@link ContainerQueries#usage}. */
  public ResourceUsage usage(String ref) throws IOException {
    return queries.usage(ref);
  }

  /** See {@link ContainerQueries#pid}. */
  public long pid(ContainerRecord r) throws IOException {
    return queries.pid(r);
  }

  /** See {@link ContainerQueries#hasTerminal}. */
  public boolean hasTerminal(String ref) throws IOException {
    return queries.hasTerminal(ref);
  }

  /** See {@link ContainerQueries#bundle}. */
  public Path bundle(String ref) throws IOException {
    return queries.bundle(ref);
  }

  /** See {@link ContainerQueries#await}. */
  public ContainerRecord await(String ref, Duration timeout) throws IOException {
    return queries.await(ref, timeout);
  }

  // ---------------------------------------------------------------- control

  /** See {@link ContainerControl#pause}. */
  public ContainerRecord pause(String ref) throws IOException {
    return control.pause(ref);
  }

  /** See {@link ContainerControl#unpause}. */
  public ContainerRecord unpause(String ref) throws IOException {
    return control.unpause(ref);
  }

  /** Work on a container's root filesystem ({@link #withRootfs}). */
  @FunctionalInterface
  public interface RootfsWork<T> {
    T on(Path rootfs) throws IOException;
  }

  /** See {@link ContainerControl#withRootfs}. */
  public <T> T withRootfs(String ref, RootfsWork<T> work) throws IOException {
    return control.withRootfs(ref, work);
  }

  /** See {@link ContainerControl#kill}. */
  public void kill(String ref, String signal) throws IOException {
    control.kill(ref, signal);
  }

  /** See {@link ContainerControl#stop}. */
  /** Stops it, waiting its own {@code --stop-timeout} (else 10 s) before SIGKILL. */
  public ContainerRecord stop(String ref) throws IOException {
    return control.stop(ref);
  }

  public ContainerRecord stop(String ref, Duration timeout) throws IOException {
    return control.stop(ref, timeout);
  }

  /** What became of one container of a command on many: {@code failure} is null on success. */
  public record Outcome(String ref, IOException failure) {}

  /**
   * {@link #stop} of every container in {@code refs} at once, each waiting {@code timeout} (null:
   * its own {@code --stop-timeout}, else 10 s) before SIGKILL; outcomes in their order.
   */
  public List<Outcome> stop(List<String> refs, Duration timeout) {
    return ContainerBatch.apply(
        refs, ref -> {
          if (timeout == null) {
            control.stop(ref);
          } else {
            control.stop(ref, timeout);
          }
        });
  }

  /** {@link #kill} of every container in {@code refs} at once; outcomes in their order. */
  public List<Outcome> kill(List<String> refs, String signal) {
    return ContainerBatch.apply(refs, ref -> control.kill(ref, signal));
  }

  /** {@link #remove} of every container in {@code refs} at once; outcomes in their order. */
  public List<Outcome> remove(List<String> refs, boolean force, boolean removeVolumes) {
    return ContainerBatch.apply(refs, ref -> control.remove(ref, force, removeVolumes));
  }

  /** See {@link ContainerControl#remove}. */
  public void remove(String ref, boolean force, boolean removeVolumes) throws IOException {
    control.remove(ref, force, removeVolumes);
  }

  /** See {@link ContainerControl#prune}. */
  public List<String> prune() throws IOException {
    return prune(r -> true);
  }

  /** See {@link ContainerControl#prune(java.util.function.Predicate)}. */
  public List<String> prune(java.util.function.Predicate<ContainerRecord> selected)
      throws IOException {
    networking.reconcile();
    return control.prune(selected);
  }

  /** See {@link ContainerControl#strays}. */
  public List<String> strays(boolean remove) throws IOException {
    return control.strays(remove);
  }

  // ---------------------------------------------------------------- exec

  /** See {@link ContainerExec#exec}. */
  public int exec(String ref, ExecRequest request, boolean interactive)
      throws IOException, InterruptedException {
    return exec.exec(ref, request, interactive);
  }
}
