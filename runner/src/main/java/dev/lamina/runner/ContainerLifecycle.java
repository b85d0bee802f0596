package dev.lamina.runner;

import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.store.FileLocks;
import dev.lamina.runner.internal.JsonFiles;
import dev.lamina.runner.internal.RandomIds;
import dev.lamina.runner.network.NetworkStatus;
import dev.lamina.layerfs.store.Trees;
import dev.lamina.runner.runtime.AttachClient;
import dev.lamina.runner.runtime.Cgroups;
import dev.lamina.runner.runtime.OciRuntime;
import dev.lamina.runner.runtime.OciRuntimeException;
import dev.lamina.runner.runtime.OutputLog;
import dev.lamina.runner.runtime.Stdio;
import dev.lamina.runner.spec.BindMount;
import dev.lamina.runner.spec.Bundles;
import dev.lamina.runner.spec.ContainerOptions;
import dev.lamina.runner.spec.EtcFiles;
import dev.lamina.runner.spec.RootFiles;
import dev.lamina.runner.spec.RuntimeSpec;
import dev.lamina.runner.spec.RuntimeSpecCodec;
import dev.lamina.runner.spec.RuntimeSpecs;
import dev.lamina.runner.volume.CopyUp;
import dev.lamina.runner.volume.Volume;
import dev.lamina.runner.volume.VolumeSpec;
import dev.lamina.runner.volume.Volumes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The life of a container: create (record, writable layer, volumes, bundle), start (in the
 * foreground, or detached under a monitor), attach, and finish (exit code recorded, unmounted,
 * removed with {@code --rm}). The overlay is mounted only while a container runs, and every exit
 * path unmounts it.
 */
final class ContainerLifecycle {
  private final Path root;
  private final ContainerStore store;
  private final ContainerRuntimes runtimes;
  private final ContainerReaper reaper;
  private final ContainerQueries queries;
  private final Volumes volumes;
  private final MonitorLauncher launcher;
  private final ContainerNetworking networking;
  private volatile OutputLog.FailureListener logFailures = (log, cause) -> {};

  ContainerLifecycle(
      Path root,
      ContainerStore store,
      ContainerRuntimes runtimes,
      ContainerReaper reaper,
      ContainerQueries queries,
      Volumes volumes,
      MonitorLauncher launcher,
      ContainerNetworking networking) {
    this.root = root;
    this.store = store;
    this.runtimes = runtimes;
    this.reaper = reaper;
    this.queries = queries;
    this.volumes = volumes;
    this.launcher = launcher;
    this.networking = networking;
  }

  /** See {@link Containers#reportLogFailuresTo}. */
  void reportLogFailuresTo(OutputLog.FailureListener listener) {
    this.logFailures = listener;
  }

  /** A new log for a run of the container in {@code cdir}. */
  private OutputLog outputLog(Path cdir) {
    return OutputLog.appendingTo(cdir.resolve(Containers.LOG), logFailures);
  }

  /**
   * Creates a container: its record, its empty writable layer, its volumes (named volumes are
   * created and, when empty, filled from the image) and its runtime bundle. Nothing runs yet.
   *
   * @throws ContainerException when the name is invalid or taken
   * @throws IOException when the image's user is unknown, a bind source is missing, or the
   *     overlay cannot be mounted; nothing is left behind then
   */
  public ContainerRecord create(ContainerRequest request) throws IOException {
    return create(request, false);
  }

  /** Creates the container; with {@code leaveMounted} its overlay stays mounted for a start. */
  private ContainerRecord create(ContainerRequest request, boolean leaveMounted)
      throws IOException {
    RootlessLimits.check(request.options());
    String name = request.runtime() == null ? null : request.runtime().strip();
    OciRuntime runtime = runtimes.select(name);
    // A runtime given by path is recorded by path: every later command selects it again.
    String selector = name != null && name.startsWith("/") ? name : runtime.name();
    // Before anything exists: an unknown network or container leaves nothing behind.
    ContainerNetwork network = networking.check(request.network());
    ContainerRecord record = reserve(request.withNetwork(network), selector);
    Path cdir = store.dir(record.id());
    List<String> anonymous = new ArrayList<>();
    boolean done = false;
    try {
      if (request.image().plainCopy() != null) {
        RootfsAssembly.copyImage(cdir, request.image().plainCopy());
      }
      RootfsAssembly.mount(store.dir(record.id()), record.lowerPaths());
      List<String> used = new ArrayList<>();
      Path rootfs = RootfsAssembly.rootfs(cdir);
      List<BindMount> binds = resolveVolumes(request, rootfs, used, anonymous);
      ContainerOptions options = request.options();
      String hostname = options.hostname() != null ? options.hostname() : record.shortId();
      Set<String> taken = new HashSet<>();
      binds.forEach(b -> taken.add(b.destination()));
      List<BindMount> all =
          new ArrayList<>(EtcFiles.ofHost()
              .write(
                  cdir,
                  EtcFiles.Setup.container(hostname, ContainerNetworking.etcNetwork(network)),
                  taken));
      all.addAll(binds);
      options =
          networking.apply(options.toBuilder(), record.id(), network)
              .binds(all).hostname(hostname).build();
      networking.writeEtc(cdir, record.toBuilder().hostname(hostname).build(), null);
      RuntimeSpec spec =
          RuntimeSpecs.fromImageConfig(request.image().config(), options, rootfs);
      spec = Bundles.write(cdir, spec, !request.autoRemove());
      List<String> command = spec.process().args();
      ContainerRecord created =
          store.update(record.id(), r -> r.withCommand(command, used, anonymous, hostname));
      done = true;
      store.report("create", created, java.util.Map.of());
      return created;
    } catch (IOException | RuntimeException e) {
      discard(record.id(), anonymous);
      throw e;
    } finally {
      if (!done || !leaveMounted) {
        RootfsAssembly.unmount(cdir);
      }
    }
  }

  private ContainerRecord reserve(ContainerRequest request, String runtimeName)
      throws IOException {
    if (request.name() != null) {
      ContainerNames.validate(request.name());
    }
    return FileLocks.withExclusive(
        store.lock(),
        () -> {
          Set<String> names = new HashSet<>();
          for (ContainerRecord r : store.readAll()) {
            names.add(r.name());
          }
          String name = request.name();
          if (name != null && names.contains(name)) {
            throw new ContainerException(
                "the container name \"" + name + "\" is already in use; remove it or choose another");
          }
          if (name == null) {
            name = ContainerNames.generate(names);
          }
          String id = RandomIds.hex64();
          Path cdir = store.dir(id);
          try {
            return writeNew(request, runtimeName, id, name, cdir);
          } catch (IOException | RuntimeException e) {
            // No record means ps cannot show it and rm cannot remove it: leave nothing.
            try {
              Trees.deleteRecursively(cdir);
            } catch (IOException left) {
              e.addSuppressed(left);
            }
            throw e;
          }
        });
  }

  /** Makes the directory of a new container and writes its first record. */
  private ContainerRecord writeNew(
      ContainerRequest request, String runtimeName, String id, String name, Path cdir)
      throws IOException {
    Files.createDirectories(cdir);
    for (String sub : List.of("upper", "work", "rootfs")) {
      Files.createDirectory(cdir.resolve(sub));
    }
    ImageConfig config = request.image().config();
    ContainerSettings settings = request.settings();
    java.util.Map<String, String> labels = new java.util.TreeMap<>();
    if (config.config().labels() != null) {
      labels.putAll(config.config().labels());
    }
    labels.putAll(settings.labels());
    ContainerRecord record =
        ContainerRecord.builder()
            .id(id)
            .name(name)
            .image(request.image().reference())
            .imageId(request.image().imageId())
            .created(Times.now())
            .state(ContainerState.CREATED)
            .runtime(runtimeName)
            .autoRemove(request.autoRemove())
            .stopSignal(
                settings.stopSignal() != null ? settings.stopSignal() : config.config().stopSignal())
            .stopTimeout(settings.stopTimeout())
            .labels(labels)
            .restartPolicy(
                settings.restart().equals(RestartPolicy.NO) ? null : settings.restart().toString())
            .healthcheck(
                settings.noHealthcheck()
                    ? null
                    : settings.healthcheck() != null
                        ? settings.healthcheck()
                        : dev.lamina.runner.health.HealthConfig.ofImage(
                            config.config().healthcheck()))
            .lowerDirs(request.image().lowerDirsTopFirst().stream().map(Path::toString).toList())
            .memoryLimit(request.options().memoryBytes())
            .openStdin(request.openStdin())
            // The host's network, as before networks, is recorded as no network at all.
            .network(request.network().equals(ContainerNetwork.host()) ? null : request.network())
            .build();
    store.write(record);
    return record;
  }

  /**
   * Resolves {@code -v} values and the image's VOLUMEs into binds: host paths must exist; named
   * volumes are created, and filled from the image when empty; an image VOLUME no {@code -v}
   * covers gets an anonymous volume.
   */
  private List<BindMount> resolveVolumes(
      ContainerRequest request, Path rootfs, List<String> used, List<String> anonymous)
      throws IOException {
    List<VolumeSpec> specs = new ArrayList<>();
    for (String v : request.volumes()) {
      specs.add(VolumeSpec.parse(v));
    }
    specs.addAll(request.mounts());
    Set<String> covered = new HashSet<>();
    specs.forEach(s -> covered.add(s.destination()));
    if (request.image().config().config().volumes() != null) {
      for (String path : request.image().config().config().volumes().keySet()) {
        String dest = dev.lamina.runner.spec.ContainerPaths.clean("/" + path);
        if (!dest.equals("/") && covered.add(dest)) {
          specs.add(new VolumeSpec.Named(null, dest, false));
        }
      }
    }
    List<BindMount> binds = new ArrayList<>();
    for (VolumeSpec s : specs) {
      if (s instanceof VolumeSpec.Bind b) {
        if (!Files.exists(b.source())) {
          throw new IOException("bind source path does not exist: " + b.source());
        }
        binds.add(new BindMount(b.source(), b.destination(), b.readOnly(), b.propagation()));
      } else if (s instanceof VolumeSpec.Named n) {
        Volume v;
        if (n.name() == null) {
          v = volumes.createAnonymous();
          anonymous.add(v.name());
        } else {
          v = volumes.create(n.name());
        }
        used.add(v.name());
        // The image path is untrusted: resolve it inside the root filesystem only.
        if (!n.noCopy()) {
          CopyUp.copyIfEmpty(RootFiles.resolve(rootfs, n.destination()), v.mountpoint());
        }
        binds.add(new BindMount(v.mountpoint(), n.destination(), n.readOnly()));
      }
    }
    return binds;
  }

  private void discard(String id, List<String> anonymous) {
    try {
      Path cdir = store.dir(id);
      RootfsAssembly.unmount(cdir);
      FileLocks.withExclusive(
          store.lock(),
          () -> {
            Trees.deleteRecursively(cdir);
            return null;
          });
      for (String v : anonymous) {
        volumes.remove(v);
      }
    } catch (IOException ignored) {
      // Best effort: the original failure is the one to report.
    }
  }

  // ---------------------------------------------------------------- run

  /**
   * Creates and runs a container in the foreground, returning its exit code. With {@code
   * --rm} the container is removed afterwards, whatever happened.
   *
   * @param forwardSignals pass SIGINT, SIGTERM and SIGHUP this process receives to the container
   * @throws OciRuntimeException when the runtime could not start the container (the record keeps
   *     the error and exit code 125, 126 or 127, as Docker)
   * @throws IOException when creating the container fails
   * @throws InterruptedException if interrupted while waiting; the container is killed
   */
  public int run(ContainerRequest request, Stdio stdio, boolean forwardSignals)
      throws IOException, InterruptedException {
    ContainerRecord record = create(request, true);
    return attach(record.id(), stdio, forwardSignals, true);
  }

  /**
   * {@code lamina run} in the foreground, on this process's own stdio, with signals forwarded:
   * with a terminal ({@code -t}) the runtime proxies it; otherwise stdout and stderr are also
   * kept in the container's log, and stdin is passed only when {@code interactive}.
   *
   * @param onCreated called once the container's record exists (to release a store lease that
   *     kept its layers from being pruned), before it starts
   * @throws OciRuntimeException when the runtime could not start the container
   * @throws IOException when creating the container fails
   * @throws InterruptedException if interrupted while waiting; the container is killed
   */
  public int runForeground(
      ContainerRequest request, boolean interactive,
      java.util.function.Consumer<ContainerRecord> onCreated)
      throws IOException, InterruptedException {
    ContainerRecord record = create(request, true);
    onCreated.accept(record);
    Stdio stdio =
        request.options().terminal()
            ? Stdio.inherit()
            : Stdio.tee(interactive, outputLog(store.dir(record.id())));
    return attach(record.id(), stdio, true, true);
  }

  /**
   * {@code lamina run -t} in the foreground the way a detached container runs: this process is
   * its monitor, holds its pty, keeps its log and serves its terminal to attached clients, the
   * first of which is meant to be this process's own terminal ({@link #attachOnStart}); SIGINT,
   * SIGTERM and SIGHUP it receives are passed on. Returns the container's exit code.
   *
   * @param onCreated given the record once it exists, before the container starts
   * @throws OciRuntimeException when the runtime could not start the container
   * @throws InterruptedException if interrupted while waiting; the container is killed
   */
  public int runForegroundOnTerminal(
      ContainerRequest request, java.util.function.Consumer<ContainerRecord> onCreated)
      throws IOException, InterruptedException {
    ContainerRecord record = create(request, true);
    onCreated.accept(record);
    Path cdir = store.dir(record.id());
    OutputLog log = outputLog(cdir);
    return attach(
        record.id(),
        (runtime, id, keep) ->
            runtime.runOnTerminal(id, cdir, log, record.openStdin(), true, true),
        log,
        true,
        true);
  }

  /**
   * {@link #attach(String, boolean, int, int)} from the start, for a container that is about to start:
   * waits while it is still only created.
   *
   * @throws ContainerException when it ended, or never started, before a client could attach
   */
  public AttachClient attachOnStart(String id, int rows, int columns) throws IOException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (queries.inspect(id).state() == ContainerState.CREATED && Instant.now().isBefore(deadline)) {
      Times.sleep(Times.ATTACH_POLL);
    }
    return attach(id, true, rows, columns);
  }

  /**
   * Starts a created (or exited) container in the foreground of this process and waits for it:
   * mounts its overlay, runs it, records its exit code, unmounts, and removes it when it was
   * created with {@code --rm}.
   *
   * @throws ContainerException when it is unknown or already running
   * @throws OciRuntimeException when the runtime could not start it
   * @throws InterruptedException if interrupted while waiting; the container is killed
   */
  public int startAttached(String ref, Stdio stdio, boolean forwardSignals)
      throws IOException, InterruptedException {
    return attach(ref, stdio, forwardSignals, false);
  }

  /**
   * Runs a created (or exited) container as its monitor does (see {@link #startAttached}), with
   * signals forwarded and output appended to its log: stdout and stderr, or with a terminal
   * ({@code -t}) what the container writes to it.
   *
   * @throws ContainerException when it is unknown or already running
   * @throws OciRuntimeException when the runtime could not start it
   * @throws InterruptedException if interrupted while waiting; the container is killed
   */
  public int runDetached(String ref) throws IOException, InterruptedException {
    ContainerRecord found = store.find(ref);
    Path cdir = store.dir(found.id());
    OutputLog log = outputLog(cdir);
    RuntimeSpec spec = JsonFiles.read(cdir.resolve("config.json"), RuntimeSpecCodec.INSTANCE);
    if (!spec.process().terminal()) {
      return attach(ref, Stdio.toLog(log), true, false);
    }
    // The terminal's runtime call always leaves the state, for finish to delete.
    return attach(
        ref,
        (runtime, id, keep) ->
            runtime.runOnTerminal(id, cdir, log, found.openStdin(), false, true),
        log,
        true,
        false);
  }

  /** How {@link #attach} runs the container, once it is recorded as running and mounted. */
  @FunctionalInterface
  private interface Launch {
    int run(OciRuntime runtime, String id, boolean keep) throws IOException, InterruptedException;
  }

  private int attach(String ref, Stdio stdio, boolean forwardSignals, boolean mounted)
      throws IOException, InterruptedException {
    return attach(
        ref,
        (runtime, id, keep) -> runtime.run(id, store.dir(id), stdio, keep, forwardSignals),
        stdio.teeLog(),
        false,
        mounted);
  }

  /**
   * @param log where {@code launch} keeps the output, if anywhere: what it leaves out is recorded
   * @param leavesState whether {@code launch} leaves the runtime's state after a normal end even
   *     when not asked to keep it
   */
  private int attach(
      String ref, Launch launch, OutputLog log, boolean leavesState, boolean mounted)
      throws IOException, InterruptedException {
    ContainerRecord prior = store.find(ref);
    String id = prior.id();
    // Before it is recorded as running: a runtime that cannot be found leaves it as it was.
    OciRuntime runtime = runtimes.of(prior);
    ProcessHandle self = ProcessHandle.current();
    String selfStart = self.info().startInstant().map(Instant::toString).orElse(null);
    ContainerRecord record =
        FileLocks.withExclusive(
            store.lock(),
            () -> {
              ContainerRecord r =
                  store.read(store.dir(id))
                      .orElseThrow(() -> new ContainerException("no such container: " + ref));
              if (r.state() == ContainerState.RUNNING) {
                throw new ContainerException("container " + r.name() + " is already running");
              }
              ContainerRecord next = r.running(Times.now(), self.pid(), selfStart);
              store.write(next);
              return next;
            });
    store.report("start", record, java.util.Map.of());
    Path cdir = store.dir(record.id());
    Integer code = null;
    String error = null;
    // With a memory limit, the stopped container's cgroup is kept until its OOM count is read.
    boolean keep = record.memoryLimit() != null;
    boolean ranToEnd = false;
    long droppedBefore = record.logDroppedBytes();
    LogDropRecorder drops =
        LogDropRecorder.start(
            log, n -> store.update(record.id(), r -> r.withLogDropped(droppedBefore + n)));
    try {
      // A container that ran before may have left runtime state behind (a killed monitor).
      if (prior.startedAt() != null) {
        runtime.delete(record.id(), true);
      }
      if (!mounted) {
        RootfsAssembly.mount(store.dir(record.id()), record.lowerPaths());
      }
      // After the record says running: a concurrent reconcile spares what is set up now.
      NetworkStatus net = networking.setUp(record, cdir);
      if (net != null) {
        store.update(record.id(), r -> r.withNetworkStatus(net));
      }
      code = launch.run(runtime, record.id(), keep);
      ranToEnd = true;
      return code;
    } catch (OciRuntimeException e) {
      error = e.getMessage();
      code = e.exitCode();
      throw e;
    } catch (IOException | RuntimeException e) {
      error = e.getMessage();
      code = 125;
      throw e;
    } finally {
      if (drops != null) {
        drops.close();
      }
      long dropped = droppedBefore + (log == null ? 0 : log.droppedBytes());
      finish(record, runtime, code, error, !ranToEnd || keep || leavesState, dropped);
    }
  }

  private void finish(
      ContainerRecord record, OciRuntime runtime, Integer code, String error, boolean leftState,
      long logDropped)
      throws IOException {
    Path cdir = store.dir(record.id());
    boolean oom = false;
    if (leftState) {
      // A foreground run that returned normally has had its state removed by the runtime,
      // unless it was kept to read the cgroup.
      oom = record.memoryLimit() != null && Cgroups.oomKills(record.id()).orElse(0L) > 0;
      try {
        runtime.delete(record.id(), true);
      } catch (IOException ignored) {
        // The unmount and the record matter more.
      }
    }
    boolean oomKilled = oom;
    try {
      try {
        networking.tearDown(record.id(), record.networkMode());
      } finally {
        RootfsAssembly.unmount(cdir);
      }
    } finally {
      ContainerRecord done =
          store.update(
              record.id(),
              r -> r.exited(code, Times.now(), error, oomKilled)
                  .withLogDropped(logDropped)
                  .withNetworkStatus(null));
      if (done != null) {
        store.report(
            "die", done,
            java.util.Map.of("exitCode", String.valueOf(done.exitCode() == null ? -1 : done.exitCode())));
      }
      if (done != null && done.autoRemove()) {
        reaper.delete(done, false);
        reaper.removeAnonymousVolumes(done);
      }
    }
  }

  /**
   * Starts a created (or exited) container detached: a monitor process runs it with its output
   * in {@code ctr.log} and records its exit code after this process has gone. Returns once the
   * monitor has taken it over.
   *
   * @throws ContainerException when it is unknown or already running, or the monitor died first
   */
  public ContainerRecord start(String ref) throws IOException {
    ContainerRecord record = store.find(ref);
    if (record.state() == ContainerState.RUNNING) {
      throw new ContainerException("container " + record.name() + " is already running");
    }
    Path cdir = store.dir(record.id());
    Process monitor = launcher.launch(root, record.id(), cdir.resolve("monitor.log"));
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      Optional<ContainerRecord> r = store.read(cdir);
      if (r.isEmpty()) {
        // --rm and already gone.
        return record.exited(null, Times.now(), null, false);
      }
      if (r.get().state() != ContainerState.CREATED && !r.get().equals(record)
          && !settingUpNetwork(r.get())) {
        return r.get();
      }
      if (!monitor.isAlive() && r.get().state() == ContainerState.CREATED) {
        throw new ContainerException(
            "the monitor of container " + record.name() + " exited before starting it; see "
                + cdir.resolve("monitor.log"));
      }
      Times.sleep(Times.POLL);
    }
    throw new ContainerException("container " + record.name() + " did not start within 60s");
  }

  /** Whether it runs, on a network of its own it is not on yet: the monitor is setting it up. */
  private static boolean settingUpNetwork(ContainerRecord r) {
    return r.state() == ContainerState.RUNNING
        && r.networkMode().ownNamespace()
        && r.networkStatus() == null
        && r.error() == null;
  }

  /**
   * Connects to the terminal of a running detached container ({@code run -dt}) through its
   * monitor: its output from now on, or with {@code fromStart} all since it started (as much as
   * the monitor keeps, for {@code start -a}) and on; {@code rows} and {@code columns} (0 when
   * unknown) the client's window size.
   *
   * @throws ContainerException when it is not running, or has no terminal
   */
  public AttachClient attach(String ref, boolean fromStart, int rows, int columns)
      throws IOException {
    ContainerRecord r = queries.inspect(ref);
    if (r.state() != ContainerState.RUNNING) {
      throw new ContainerException("container " + r.name() + " is not running");
    }
    Path cdir = store.dir(r.id());
    if (!queries.hasTerminal(r.id())) {
      throw new ContainerException("container " + r.name()
          + " has no terminal to attach to (run it with -dt; see logs -f for its output)");
    }
    // Just after run -dt the monitor may not serve the terminal yet: it does once runc has
    // created the container.
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    while (true) {
      try {
        return AttachClient.connect(cdir, fromStart, rows, columns);
      } catch (IOException e) {
        if (!Instant.now().isBefore(deadline) || queries.inspect(r.id()).state() != ContainerState.RUNNING) {
          throw new ContainerException("cannot attach to " + r.name() + ": " + e.getMessage());
        }
        Times.sleep(Times.ATTACH_POLL);
      }
    }
  }
}
