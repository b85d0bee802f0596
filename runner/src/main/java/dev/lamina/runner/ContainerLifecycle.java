package dev.lamina.runner;

import dev.lamina.layerfs.io.RandomIds;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.store.FileLocks;
import dev.lamina.runner.internal.Background;
import dev.lamina.runner.internal.JsonFiles;
import dev.lamina.runner.network.NetworkStatus;
import dev.lamina.runner.runtime.AttachClient;
import dev.lamina.runner.runtime.Conmon;
import dev.lamina.runner.runtime.OciRuntime;
import dev.lamina.runner.runtime.OciRuntimeException;
import dev.lamina.runner.runtime.OutputLog;
import dev.lamina.runner.runtime.RuntimeCommand;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The life of a container: create (record, writable layer, volumes, bundle), start (under its
 * monitor, conmon, detached or with this process attached; or in this process, through the
 * runtime alone), attach, and finish (exit code recorded, unmounted, removed with {@code --rm}). The overlay is mounted only while a container runs, and every exit
 * path unmounts it.
 */
final class ContainerLifecycle {
  private final Path root;
  private final ContainerStore store;
  private final ContainerRuntimes runtimes;
  private final ContainerReaper reaper;
  private final ContainerQueries queries;
  private final Volumes volumes;
  private final ExitCommand exitCommand;
  private final ContainerNetworking networking;

  ContainerLifecycle(
      Path root,
      ContainerStore store,
      ContainerRuntimes runtimes,
      ContainerReaper reaper,
      ContainerQueries queries,
      Volumes volumes,
      ExitCommand exitCommand,
      ContainerNetworking networking) {
    this.root = root;
    this.store = store;
    this.runtimes = runtimes;
    this.reaper = reaper;
    this.queries = queries;
    this.volumes = volumes;
    this.exitCommand = exitCommand;
    this.networking = networking;
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
    return create(request, false).record();
  }

  /**
   * A container this process has just created: its record and runtime spec as it wrote them,
   * which its start then uses rather than reading them back.
   */
  private record Created(ContainerRecord record, RuntimeSpec spec) {}

  /** Creates the container; with {@code leaveMounted} its overlay stays mounted for a start. */
  private Created create(ContainerRequest request, boolean leaveMounted)
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
      // Creation only reads the image (users, volumes' first contents); a container that starts
      // now keeps this mount, and only a --rm one's upper is thrown away. A mount undone here
      // syncs nothing (the next start mounts on a new work directory).
      RootfsAssembly.mount(
          store.dir(record.id()),
          record.lowerPaths(),
          leaveMounted ? upperOf(request.autoRemove()) : RootfsAssembly.Upper.DISPOSABLE);
      List<String> used = new ArrayList<>();
      Path rootfs = RootfsAssembly.rootfs(cdir);
      List<BindMount> binds = resolveVolumes(request, rootfs, used, anonymous);
      ContainerOptions options = request.options();
      String hostname = options.hostname() != null ? options.hostname() : defaultHostname(record, network);
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
      return new Created(created, spec);
    } catch (IOException | RuntimeException e) {
      discard(record, anonymous);
      throw e;
    } finally {
      if (!done || !leaveMounted) {
        RootfsAssembly.unmount(cdir);
      }
    }
  }

  /** A running container's upper: thrown away with a {@code --rm} one, else kept. */
  private static RootfsAssembly.Upper upperOf(boolean autoRemove) {
    return autoRemove ? RootfsAssembly.Upper.DISPOSABLE : RootfsAssembly.Upper.KEPT;
  }

  /**
   * The hostname of a container not given one: the host's own on the host's network, as docker
   * and podman give it there (its name resolves as the host's does), else its short id.
   */
  private static String defaultHostname(ContainerRecord record, ContainerNetwork network)
      throws IOException {
    if (network.mode() == ContainerNetwork.Mode.HOST) {
      try {
        // The kernel's, which hostname(1) prints: the UTS namespace Lamina itself runs in.
        String own = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        if (!own.isEmpty()) {
          return own;
        }
      } catch (java.nio.file.NoSuchFileException e) {
        // No procfs: the short id, as on other networks.
      }
    }
    return record.shortId();
  }

  private ContainerRecord reserve(ContainerRequest request, String runtimeName)
      throws IOException {
    if (request.name() != null) {
      ContainerNames.validate(request.name());
    }
    return FileLocks.withExclusive(
        store.lock(),
        () -> {
          // The name is checked and claimed in the store's index of names (see ContainerStore).
          String name =
              request.name() != null ? request.name() : ContainerNames.generate(store::nameTaken);
          return writeNew(request, runtimeName, RandomIds.hex64(), name);
        });
  }

  /** Makes the directory of a new container, whole with its first record. */
  private ContainerRecord writeNew(
      ContainerRequest request, String runtimeName, String id, String name)
      throws IOException {
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
            .exposedPorts(
                dev.lamina.runner.network.PortSpecs.mergeExposed(
                    config.config().exposedPorts() == null
                        ? List.of()
                        : config.config().exposedPorts().keySet(),
                    settings.exposedPorts()))
            .restartPolicy(
                settings.restart().never() ? null : settings.restart().toString())
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
            .network(request.network().equalsHost() ? null : request.network())
            // The process creating it, until it is created: a record whose creator was killed
            // before it had a bundle is known as such, and tidied (ContainerReaper#refresh).
            .monitorPid(ProcessHandle.current().pid())
            .monitorStarted(
                ProcessHandle.current().info().startInstant().map(Times::text).orElse(null))
            .build();
    store.create(record, List.of("upper", "work", "rootfs"));
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

  private void discard(ContainerRecord record, List<String> anonymous) {
    try {
      RootfsAssembly.unmount(store.dir(record.id()));
      FileLocks.withExclusive(
          store.lock(),
          () -> {
            store.delete(record);
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
    ContainerRecord record = create(request, true).record();
    return attach(record.id(), stdio, forwardSignals, true);
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
        mounted);
  }

  /**
   * @param log where {@code launch} keeps the output, if anywhere: what it leaves out is recorded
   */
  private int attach(String ref, Launch launch, OutputLog log, boolean mounted)
      throws IOException, InterruptedException {
    ContainerRecord prior = store.find(ref);
    // Before it is recorded as running: a runtime that cannot be found leaves it as it was.
    OciRuntime runtime = runtimes.of(prior);
    ContainerRecord record = markRunning(ref, prior.id());
    Integer code = null;
    String error = null;
    // With a memory limit, the stopped container's cgroup is kept until its OOM count is read.
    boolean keep = record.memoryLimit() != null;
    long droppedBefore = record.logDroppedBytes();
    LogDropRecorder drops =
        LogDropRecorder.start(
            log, n -> store.update(record.id(), r -> r.withLogDropped(droppedBefore + n)));
    boolean ranToEnd = false;
    try {
      // The runtime creates and starts the container in one go here: its network first.
      networkReady(record.id(), prepare(prior, record, runtime, mounted));
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
      // A run that returned normally has had its state removed by the runtime, unless it was
      // kept to read the cgroup.
      end(record, !ranToEnd || keep ? runtime : null, code, error, dropped);
    }
  }

  /**
   * Records the container as running, with this process as the one that waits for it (until a
   * monitor takes over), and clears the exit file of an earlier run.
   *
   * @throws ContainerException when it is gone or already running
   */
  private ContainerRecord markRunning(String ref, String id) throws IOException {
    ProcessHandle self = ProcessHandle.current();
    String selfStart = self.info().startInstant().map(Times::text).orElse(null);
    ContainerRecord started = FileLocks.withExclusive(
        store.lock(),
        () -> {
          Path cdir = store.dir(id);
          ContainerRecord r =
              store.read(cdir)
                  .orElseThrow(() -> new ContainerException("no such container: " + ref));
          if (r.state() == ContainerState.RUNNING) {
            throw new ContainerException("container " + r.name() + " is already running");
          }
          Files.deleteIfExists(reaper.exitDir().resolve(id));
          ContainerRecord next = r.running(Times.now(), self.pid(), selfStart);
          store.write(next);
          return next;
        });
    store.report("start", started, java.util.Map.of());
    return started;
  }

  /**
   * Clears an earlier run's runtime state, mounts the root filesystem, and starts setting up the
   * network: the container may be created meanwhile, and started once it is awaited ({@link
   * #networkReady}).
   */
  private Background<NetworkStatus> prepare(
      ContainerRecord prior, ContainerRecord record, OciRuntime runtime, boolean mounted)
      throws IOException {
    Path cdir = store.dir(record.id());
    // A container that ran before may have left runtime state behind (a killed monitor).
    if (prior.startedAt() != null) {
      runtime.delete(record.id(), true);
    }
    if (!mounted) {
      RootfsAssembly.mount(cdir, record.lowerPaths(), upperOf(record.autoRemove()));
    }
    // After the record says running: a concurrent reconcile spares what is set up now.
    return networking.begin(record, cdir);
  }

  /** Waits for the network {@link #prepare} set up, and records what it gave the container. */
  private void networkReady(String id, Background<NetworkStatus> network) throws IOException {
    NetworkStatus net = network.await();
    if (net != null) {
      store.update(id, r -> r.withNetworkStatus(net));
    }
  }

  /**
   * Ends the run {@code record} began, unless someone else already has: records {@code code}
   * (null: unknown), {@code error} and the bytes the log left out, deletes the runtime's state,
   * tears down, unmounts, and removes a {@code --rm} container.
   */
  private void end(
      ContainerRecord record, OciRuntime runtime, Integer code, String error, long logDropped)
      throws IOException {
    boolean[] finished = {false};
    ContainerRecord done =
        FileLocks.withExclusive(
            store.lock(),
            () -> {
              Optional<ContainerRecord> cur = store.read(store.dir(record.id()));
              if (cur.isEmpty()
                  || cur.get().state() != ContainerState.RUNNING
                  || !java.util.Objects.equals(cur.get().startedAt(), record.startedAt())) {
                return cur.orElse(null);
              }
              finished[0] = true;
              return reaper.finish(cur.get().withLogDropped(logDropped), runtime, code, error);
            });
    if (finished[0]) {
      reaper.reportDeath(done);
    }
    reaper.removeIfAuto(done);
  }

  // ---------------------------------------------------------------- under conmon

  /**
   * Starts a created (or exited) container detached: conmon creates and holds it, writes its
   * output to {@code ctr.log} and its exit code to a file, and runs Lamina's cleanup when it ends,
   * after this process has gone. Returns once the container runs.
   *
   * @throws ContainerException when it is unknown or already running
   * @throws OciRuntimeException when the runtime could not start it (recorded with the error and
   *     exit code 125, 126 or 127); {@link dev.lamina.runner.runtime.MonitorNotFoundException}
   *     when conmon is not installed
   */
  public ContainerRecord start(String ref) throws IOException {
    ContainerRecord record = store.find(ref);
    return startDetached(record, null);
  }

  /**
   * Creates a container and starts it as {@link #start} does ({@code run -d}), its overlay
   * mounted once for both: {@code onCreated} is called once the record exists, before it starts
   * (should it fail, the container stays created, unmounted).
   */
  public ContainerRecord runDetached(
      ContainerRequest request, java.util.function.Consumer<ContainerRecord> onCreated)
      throws IOException {
    Created created = create(request, true);
    ContainerRecord record = created.record();
    try {
      onCreated.accept(record);
    } catch (RuntimeException e) {
      RootfsAssembly.unmount(store.dir(record.id()));
      throw e;
    }
    return startDetached(record, created);
  }

  /** @param created the container as this process has just created it (mounted), or null */
  private ContainerRecord startDetached(ContainerRecord record, Created created)
      throws IOException {
    try (ContainerSession session =
        launch(record.id(), created, false, false, false, created != null, null)) {
      // Only started: conmon has it now.
    }
    Optional<ContainerRecord> now = store.read(store.dir(record.id()));
    ContainerRecord fresh = now.isPresent() ? reaper.refresh(now.get()) : null;
    // Gone: it ended, and went with --rm, already.
    return fresh != null ? fresh : record.exited(null, Times.now(), null, false);
  }

  /**
   * Starts a container under conmon as {@link #start} does, with this process attached from its
   * first output on ({@link ContainerSession#client}); this process waits for it ({@link
   * ContainerSession#await}), and conmon's exit command leaves the finishing to it while it lives.
   *
   * @param mounted whether its root filesystem is mounted already (just created)
   * @param size for a container with a terminal, its size when it starts (null: 24x80)
   * @throws OciRuntimeException when the runtime could not start it, in one line typed by the
   *     runtime's error (the runtime's own words reach no terminal)
   */
  public ContainerSession startAttached(String ref, boolean mounted, RuntimeSpec.ConsoleSize size)
      throws IOException {
    return launch(ref, null, true, true, false, mounted, size);
  }

  /**
   * Creates a container and starts it attached ({@link #startAttached}), as {@code run} in the
   * foreground: should this process die, the container gets SIGTERM.
   *
   * @param onCreated called once the container's record exists, before it starts
   */
  public ContainerSession runAttached(
      ContainerRequest request, java.util.function.Consumer<ContainerRecord> onCreated,
      RuntimeSpec.ConsoleSize size) throws IOException {
    Created created = create(request, true);
    onCreated.accept(created.record());
    return launch(created.record().id(), created, true, true, true, true, size);
  }

  /**
   * @param created the container as this process has just created it, or null
   * @param waiting whether this process waits for the container and finishes it
   * @param dyingWithThis whether the container gets SIGTERM should this process die ({@code run}
   *     in the foreground, as it has no detach keys)
   * @param mounted whether its root filesystem is mounted already
   */
  private ContainerSession launch(
      String ref, Created created, boolean attach, boolean waiting, boolean dyingWithThis,
      boolean mounted, RuntimeSpec.ConsoleSize size) throws IOException {
    // One just created is as this process wrote it: read back, its record and spec would only
    // cost their parsing. (markRunning reads the record again, under the lock.)
    ContainerRecord prior = created != null ? created.record() : store.find(ref);
    String id = prior.id();
    Path cdir = store.dir(id);
    OciRuntime runtime;
    Conmon conmon;
    RuntimeSpec spec;
    try {
      // Before it is recorded as running: what is missing leaves it as it was.
      runtime = runtimes.of(prior);
      conmon = Conmon.locate();
      spec =
          created != null
              ? created.spec()
              : JsonFiles.read(cdir.resolve("config.json"), RuntimeSpecCodec.INSTANCE);
    } catch (IOException | RuntimeException e) {
      if (mounted) {
        RootfsAssembly.unmount(cdir);
      }
      throw e;
    }
    ContainerRecord record = markRunning(ref, id);
    ProcessHandle monitor = null;
    AttachClient client = null;
    Background<NetworkStatus> network = Background.done(null);
    try {
      network = prepare(prior, record, runtime, mounted);
      boolean terminal = spec.process().terminal();
      if (terminal && size != null && size.height() > 0 && size.width() > 0) {
        spec = Bundles.write(
            cdir,
            new RuntimeSpec(spec.ociVersion(), spec.process().withConsoleSize(size),
                spec.root(), spec.hostname(), spec.mounts(), spec.linux(), spec.annotations()),
            true);
      }
      RuntimeCommand command =
          runtime.command(id).orElseThrow(() -> new ContainerException(
              "the runtime " + runtime.name() + " cannot run a container under conmon"));
      StoreRunDirs.ensure(reaper.runDir(), root);
      Path socketDir = attachSocketDir();
      if (attach) {
        // While conmon and the runtime create the container.
        AttachClient.prepare();
      }
      Conmon.Started started =
          conmon.launch(
              new Conmon.Request(
                  id, reaper.attachLink(id).getFileName().toString(), record.name(), cdir,
                  command, terminal, record.openStdin(), !waiting,
                  cdir.resolve(Containers.LOG), reaper.exitDir(), socketDir,
                  exitCommand(id, waiting), cdir.resolve("monitor.log"), dyingWithThis,
                  waiting));
      monitor = started.conmon();
      if (attach) {
        client = AttachClient.connect(reaper.attachLink(id).resolve("attach"), cdir.resolve("ctl"));
      }
      // Created (its namespace joined) while its networks were set up; it starts on them.
      networkReady(id, network);
      runtime.start(id);
      handOver(record, monitor);
      return new ContainerSession(this, id, monitor, client, runtime);
    } catch (OciRuntimeException e) {
      // The setup ends before the end of the run tears down what it set up.
      network.awaitQuietly();
      abandon(record, runtime, e.exitCode(), e.getMessage(), monitor, client);
      throw e;
    } catch (IOException | RuntimeException e) {
      network.awaitQuietly();
      abandon(record, runtime, 125, e.getMessage(), monitor, client);
      throw e;
    }
  }

  /** Where conmon makes the short links to bundles through which attach sockets are reached. */
  private Path attachSocketDir() {
    return reaper.attachDir();
  }

  /**
   * conmon's exit command for container {@code id}. When {@code waiting}, a process of this
   * command waits for the container and finishes it itself, so the exit command does nothing
   * while this process lives (one JVM less per run), and finishes it when this process was
   * killed or detached. Its output goes to the container's {@code monitor.log}.
   */
  private List<String> exitCommand(String id, boolean waiting) {
    List<String> cmd = new ArrayList<>(List.of(
        "/bin/sh", "-c",
        "if [ \"$1\" != 0 ] && kill -0 \"$1\" 2>/dev/null; then exit 0; fi;"
            + " log=$2; shift 2; exec \"$@\" >>\"$log\" 2>&1",
        "lamina-exit",
        waiting ? Long.toString(ProcessHandle.current().pid()) : "0",
        store.dir(id).resolve("monitor.log").toString()));
    cmd.addAll(exitCommand.argv(root, id));
    return cmd;
  }

  /** Records conmon as the container's monitor, unless its run has ended meanwhile. */
  private void handOver(ContainerRecord record, ProcessHandle monitor) throws IOException {
    String started = monitor.info().startInstant().map(Times::text).orElse(null);
    FileLocks.withExclusive(
        store.lock(),
        () -> {
          Optional<ContainerRecord> cur = store.read(store.dir(record.id()));
          if (cur.isPresent()
              && cur.get().state() == ContainerState.RUNNING
              && java.util.Objects.equals(cur.get().startedAt(), record.startedAt())) {
            store.write(
                cur.get().toBuilder().monitorPid(monitor.pid()).monitorStarted(started).build());
          }
          return null;
        });
  }

  /**
   * A start that failed: records it, and waits for conmon (whose container the runtime's forced
   * delete has ended) so that no exit file of this run lands after a later start.
   */
  private void abandon(ContainerRecord record, OciRuntime runtime, int code, String error,
      ProcessHandle monitor, AttachClient client) throws IOException {
    if (client != null) {
      client.close();
    }
    try {
      end(record, runtime, code, error, record.logDroppedBytes());
    } finally {
      if (monitor != null) {
        try {
          monitor.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException
            | java.util.concurrent.TimeoutException e) {
          monitor.destroyForcibly();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        Files.deleteIfExists(reaper.exitDir().resolve(record.id()));
      }
    }
  }

  /**
   * What a session's wait ends with: conmon has gone; its exit code, and the run finished (by
   * this process, unless the exit command or another command was first).
   */
  int awaitEnd(String id, ProcessHandle monitor) throws IOException, InterruptedException {
    try {
      monitor.onExit().get();
    } catch (java.util.concurrent.ExecutionException cannotHappen) {
      throw new IOException(cannotHappen.getCause());
    }
    Path cdir = store.dir(id);
    Optional<Integer> code = reaper.exitCode(id);
    Optional<ContainerRecord> r = store.read(cdir);
    ContainerRecord after = r.isEmpty() ? null : reaper.refresh(r.get());
    if (code.isPresent()) {
      return code.get();
    }
    if (after != null && after.state() == ContainerState.RUNNING) {
      // conmon was killed and the container runs on: wait for it through the runtime.
      while ((after = queries.await(id, Duration.ofSeconds(60))).state()
          == ContainerState.RUNNING) {
        // Still running.
      }
    }
    return after == null || after.exitCode() == null ? 125 : after.exitCode();
  }

  /**
   * Connects to a running container through its monitor: its output from now on, and input for
   * its terminal ({@code -dit}); {@code rows} and {@code columns} (0 when unknown) the client's
   * window size.
   *
   * @throws ContainerException when it is not running
   */
  public AttachClient attach(String ref, int rows, int columns) throws IOException {
    ContainerRecord r = queries.inspect(ref);
    if (r.state() != ContainerState.RUNNING) {
      throw new ContainerException("container " + r.name() + " is not running");
    }
    Path socket = reaper.attachLink(r.id()).resolve("attach");
    AttachClient client;
    try {
      client = AttachClient.connect(socket, store.dir(r.id()).resolve("ctl"));
    } catch (IOException e) {
      throw new ContainerException("cannot attach to " + r.name() + ": " + e.getMessage());
    }
    try {
      client.resize(rows, columns);
    } catch (IOException ended) {
      // It ended meanwhile: the client sees the end of its output.
    }
    return client;
  }
}
