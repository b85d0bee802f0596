package dev.lamina.runner;

import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.overlay.FlattenedRootfs;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.layerfs.store.FileLocks;
import dev.lamina.runner.internal.JsonFiles;
import dev.lamina.runner.internal.RandomIds;
import dev.lamina.layerfs.store.Trees;
import dev.lamina.runner.runtime.AttachClient;
import dev.lamina.runner.runtime.Cgroups;
import dev.lamina.runner.runtime.OciRuntime;
import dev.lamina.runner.runtime.OciRuntimeException;
import dev.lamina.runner.runtime.OciRuntimes;
import dev.lamina.runner.runtime.OutputLog;
import dev.lamina.runner.runtime.ResourceUsage;
import dev.lamina.runner.runtime.RuntimeNotFoundException;
import dev.lamina.runner.runtime.RuntimeState;
import dev.lamina.runner.runtime.Stdio;
import dev.lamina.runner.spec.BindMount;
import dev.lamina.runner.spec.ContainerOptions;
import dev.lamina.runner.spec.EtcFiles;
import dev.lamina.runner.spec.ImageUsers;
import dev.lamina.runner.spec.ResolvedUser;
import dev.lamina.runner.spec.RootFiles;
import dev.lamina.runner.spec.RuntimeSpec;
import dev.lamina.runner.spec.RuntimeSpecCodec;
import dev.lamina.runner.spec.RuntimeSpecs;
import dev.lamina.runner.volume.CopyUp;
import dev.lamina.runner.volume.Volume;
import dev.lamina.runner.volume.VolumeSpec;
import dev.lamina.runner.volume.Volumes;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The containers of a store, under {@code $LAMINA_ROOT/containers/<id>/}: {@code container.json}
 * (the record), {@code config.json} (the runtime bundle), {@code upper/} and {@code work/} (the
 * disposable writable layer), {@code rootfs/} (where the overlay is mounted while it runs) and
 * {@code ctr.log} (a detached container's output).
 *
 * <p>The overlay is mounted only while a container runs, and every exit path unmounts it; a
 * container whose monitor died is found by {@link #list} and cleaned up then, so no mount
 * outlives its container. Records change only under {@code containers/.lock}.
 */
public final class Containers {
  private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
  private static final String RECORD = "container.json";
  private static final String LOG = "ctr.log";
  private static final Duration POLL = Duration.ofMillis(25);
  /**
   * Finer, for a terminal waiting to be attached: a foreground {@code run -t} waits on it before
   * its container starts, and a failed try costs only a file read.
   */
  private static final Duration ATTACH_POLL = Duration.ofMillis(3);

  /**
   * A file in a container's directory marking that its {@code rootfs/} is a flattened copy of its
   * layers (overlayfs could not be used), so it has no upper to diff.
   */
  public static final String FLATTENED = "flattened";

  private static final AtomicBoolean FLATTEN_NOTED = new AtomicBoolean();

  private final Path root;
  private final Path dir;
  private final Volumes volumes;
  private final MonitorLauncher launcher;
  private volatile OutputLog.FailureListener logFailures = (log, cause) -> {};

  private Containers(Path root, MonitorLauncher launcher) {
    this.root = root.toAbsolutePath().normalize();
    this.dir = this.root.resolve("containers");
    this.launcher = launcher;
    this.volumes = Volumes.at(this.root, this::volumesInUse);
  }

  /** The containers of the store at {@code laminaRoot}; detached ones run under a Java monitor. */
  public static Containers open(Path laminaRoot) {
    return new Containers(laminaRoot, MonitorLauncher.javaProcess());
  }

  /** Likewise, with detached containers started by {@code launcher}. */
  public static Containers open(Path laminaRoot, MonitorLauncher launcher) {
    return new Containers(laminaRoot, launcher);
  }

  /**
   * Tells {@code listener} when a container run by this object cannot write its log (once per
   * run): its output goes on (to the terminal, to attached clients), and its log resumes when the
   * file takes writes again; {@code inspect} counts what the log left out.
   */
  public Containers reportLogFailuresTo(OutputLog.FailureListener listener) {
    this.logFailures = listener;
    return this;
  }

  /** A new log for a run of the container in {@code cdir}. */
  private OutputLog outputLog(Path cdir) {
    return OutputLog.appendingTo(cdir.resolve(LOG), logFailures);
  }

  /** The store's volumes, which know which of them these containers use. */
  public Volumes volumes() {
    return volumes;
  }

  private Path lock() {
    return dir.resolve(".lock");
  }

  private Path containerDir(String id) {
    return dir.resolve(id);
  }

  private OciRuntime runtime(ContainerRecord r) throws IOException {
    return OciRuntimes.select(r.runtime(), root.resolve("runtime"));
  }

  // ---------------------------------------------------------------- create

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
    String name =
        request.runtime() != null ? request.runtime() : OciRuntimes.configured(root);
    OciRuntime runtime = OciRuntimes.select(name, root.resolve("runtime"));
    // A runtime given by path is recorded by path: every later command selects it again.
    String selector = name.strip().startsWith("/") ? name.strip() : runtime.name();
    ContainerRecord record = reserve(request, selector);
    Path cdir = containerDir(record.id());
    List<String> anonymous = new ArrayList<>();
    boolean done = false;
    try {
      if (request.image().plainCopy() != null) {
        copyImage(cdir, request.image().plainCopy());
      }
      mountRootfs(record);
      List<String> used = new ArrayList<>();
      List<BindMount> binds = resolveVolumes(request, rootfs(cdir), used, anonymous);
      ContainerOptions options = request.options();
      String hostname = options.hostname() != null ? options.hostname() : record.shortId();
      Set<String> taken = new HashSet<>();
      binds.forEach(b -> taken.add(b.destination()));
      List<BindMount> all =
          new ArrayList<>(EtcFiles.ofHost()
              .write(cdir, EtcFiles.Setup.container(hostname, options.network()), taken));
      all.addAll(binds);
      options = options.toBuilder().binds(all).hostname(hostname).build();
      RuntimeSpec spec =
          RuntimeSpecs.fromImageConfig(request.image().config(), options, rootfs(cdir));
      AtomicFiles.write(
          cdir.resolve("config.json"),
          JsonWriter.toBytes(spec, RuntimeSpecCodec.INSTANCE),
          !request.autoRemove());
      List<String> command = spec.process().args();
      ContainerRecord created =
          update(record.id(), r -> r.withCommand(command, used, anonymous, hostname));
      done = true;
      return created;
    } catch (IOException | RuntimeException e) {
      discard(record.id(), anonymous);
      throw e;
    } finally {
      if (!done || !leaveMounted) {
        unmountAll(cdir);
      }
    }
  }

  private ContainerRecord reserve(ContainerRequest request, String runtimeName)
      throws IOException {
    if (request.name() != null) {
      ContainerNames.validate(request.name());
    }
    return FileLocks.withExclusive(
        lock(),
        () -> {
          Set<String> names = new HashSet<>();
          for (ContainerRecord r : readAll()) {
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
          Path cdir = containerDir(id);
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
    ContainerRecord record =
        new ContainerRecord(
            id,
            name,
            request.image().reference(),
            request.image().imageId(),
            List.of(),
            now(),
            ContainerState.CREATED,
            null,
            null,
            null,
            null,
            runtimeName,
            request.autoRemove(),
            null,
            null,
            config.config().stopSignal(),
            request.image().lowerDirsTopFirst().stream().map(Path::toString).toList(),
            List.of(),
            List.of(),
            false,
            null,
            request.options().memoryBytes(),
            request.openStdin(),
            false,
            null);
    write(record);
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
        binds.add(new BindMount(b.source(), b.destination(), b.readOnly()));
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
        CopyUp.copyIfEmpty(RootFiles.resolve(rootfs, n.destination()), v.mountpoint());
        binds.add(new BindMount(v.mountpoint(), n.destination(), n.readOnly()));
      }
    }
    return binds;
  }

  private void discard(String id, List<String> anonymous) {
    try {
      Path cdir = containerDir(id);
      unmountAll(cdir);
      FileLocks.withExclusive(
          lock(),
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
  public int runForeground(ContainerRequest request, boolean interactive, Runnable onCreated)
      throws IOException, InterruptedException {
    ContainerRecord record = create(request, true);
    onCreated.run();
    Stdio stdio =
        request.options().terminal()
            ? Stdio.inherit()
            : Stdio.tee(interactive, outputLog(containerDir(record.id())));
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
    Path cdir = containerDir(record.id());
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
    while (inspect(id).state() == ContainerState.CREATED && Instant.now().isBefore(deadline)) {
      sleep(ATTACH_POLL);
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
    ContainerRecord found = find(ref);
    Path cdir = containerDir(found.id());
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
        (runtime, id, keep) -> runtime.run(id, containerDir(id), stdio, keep, forwardSignals),
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
    ContainerRecord prior = find(ref);
    String id = prior.id();
    // Before it is recorded as running: a runtime that cannot be found leaves it as it was.
    OciRuntime runtime = runtime(prior);
    ProcessHandle self = ProcessHandle.current();
    String selfStart = self.info().startInstant().map(Instant::toString).orElse(null);
    ContainerRecord record =
        FileLocks.withExclusive(
            lock(),
            () -> {
              ContainerRecord r =
                  readRecord(containerDir(id))
                      .orElseThrow(() -> new ContainerException("no such container: " + ref));
              if (r.state() == ContainerState.RUNNING) {
                throw new ContainerException("container " + r.name() + " is already running");
              }
              ContainerRecord next = r.running(now(), self.pid(), selfStart);
              write(next);
              return next;
            });
    Path cdir = containerDir(record.id());
    Integer code = null;
    String error = null;
    // With a memory limit, the stopped container's cgroup is kept until its OOM count is read.
    boolean keep = record.memoryLimit() != null;
    boolean ranToEnd = false;
    long droppedBefore = record.logDroppedBytes();
    LogDropRecorder drops =
        LogDropRecorder.start(
            log, n -> update(record.id(), r -> r.withLogDropped(droppedBefore + n)));
    try {
      // A container that ran before may have left runtime state behind (a killed monitor).
      if (prior.startedAt() != null) {
        runtime.delete(record.id(), true);
      }
      if (!mounted) {
        mountRootfs(record);
      }
      code = launch.run(runtime, record.id(), keep);
      ranToEnd = true;
      return code;
    } catch (OciRuntimeException e) {
      error = e.getMessage();
      code = failureExitCode(e.getMessage());
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

  /**
   * Docker's exit codes for a container that could not be started: 127 command not found, 126
   * not executable, 125 anything else.
   */
  public static int failureExitCode(String message) {
    String m = message.toLowerCase(java.util.Locale.ROOT);
    if (m.contains("not found") || m.contains("no such file")) {
      return 127;
    }
    if (m.contains("permission denied")) {
      return 126;
    }
    return 125;
  }

  private void finish(
      ContainerRecord record, OciRuntime runtime, Integer code, String error, boolean leftState,
      long logDropped)
      throws IOException {
    Path cdir = containerDir(record.id());
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
      unmountAll(cdir);
    } finally {
      ContainerRecord done =
          update(
              record.id(),
              r -> r.exited(code, now(), error, oomKilled).withLogDropped(logDropped));
      if (done != null && done.autoRemove()) {
        delete(done, false);
        removeAnonymousVolumes(done);
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
    ContainerRecord record = find(ref);
    if (record.state() == ContainerState.RUNNING) {
      throw new ContainerException("container " + record.name() + " is already running");
    }
    Path cdir = containerDir(record.id());
    Process monitor = launcher.launch(root, record.id(), cdir.resolve("monitor.log"));
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      Optional<ContainerRecord> r = readRecord(cdir);
      if (r.isEmpty()) {
        // --rm and already gone.
        return record.exited(null, now(), null, false);
      }
      if (r.get().state() != ContainerState.CREATED && !r.get().equals(record)) {
        return r.get();
      }
      if (!monitor.isAlive() && r.get().state() == ContainerState.CREATED) {
        throw new ContainerException(
            "the monitor of container " + record.name() + " exited before starting it; see "
                + cdir.resolve("monitor.log"));
      }
      sleep(POLL);
    }
    throw new ContainerException("container " + record.name() + " did not start within 60s");
  }

  // ---------------------------------------------------------------- queries

  /**
   * The container named {@code ref}: its full id, a unique id prefix, or its name. A container
   * whose monitor is gone is brought up to date first (shown as exited, unmounted).
   *
   * @throws ContainerException when none or several match
   */
  public ContainerRecord inspect(String ref) throws IOException {
    ContainerRecord r = refresh(find(ref));
    if (r == null) {
      throw new ContainerException("no such container: " + ref);
    }
    return r;
  }

  /**
   * Containers, newest first: the running ones, or all with {@code all} (for {@code ps -a}).
   *
   * @throws IOException if the records cannot be read
   */
  public List<ContainerRecord> list(boolean all) throws IOException {
    List<ContainerRecord> out = new ArrayList<>();
    for (ContainerRecord r : readAll()) {
      ContainerRecord fresh = refresh(r);
      if (fresh != null && (all || fresh.state() == ContainerState.RUNNING)) {
        out.add(fresh);
      }
    }
    out.sort(Comparator.comparing(ContainerRecord::created).reversed());
    return out;
  }

  /**
   * The log of a container: the stdout and stderr of its runs, detached or in the foreground
   * (not with a terminal), in arrival order.
   */
  public Path logFile(String ref) throws IOException {
    return containerDir(find(ref).id()).resolve(LOG);
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
    OciRuntime runtime = runtime(r);
    started(runtime, r, Instant.now().plus(Duration.ofSeconds(10)));
    return runtime.processes(r.id(), psOptions);
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
    ContainerRecord r = inspect(ref);
    if (r.state() != ContainerState.RUNNING) {
      throw new ContainerException("container " + r.name() + " is not running");
    }
    if (r.paused() == paused) {
      throw new ContainerException(
          "container " + r.name() + (paused ? " is already paused" : " is not paused"));
    }
    OciRuntime runtime = runtime(r);
    started(runtime, r, Instant.now().plus(Duration.ofSeconds(10)));
    if (paused) {
      runtime.pause(r.id());
    } else {
      runtime.resume(r.id());
    }
    return FileLocks.withExclusive(
        lock(),
        () -> {
          ContainerRecord now = readRecord(containerDir(r.id())).orElse(r);
          ContainerRecord next = now.withPaused(paused);
          write(next);
          return next;
        });
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
    OciRuntime runtime = runtime(r);
    started(runtime, r, Instant.now().plus(Duration.ofSeconds(10)));
    return runtime.usage(r.id());
  }

  /** Work on a container's root filesystem ({@link #withRootfs}). */
  @FunctionalInterface
  public interface RootfsWork<T> {
    T on(Path rootfs) throws IOException;
  }

  /**
   * Runs {@code work} on the container's root filesystem, which does not change meanwhile: a
   * running container is paused (its processes frozen) and resumed after, as {@code docker cp}
   * does, so none of them can swap a path for a symlink between a check and a use
   * (CVE-2018-15664); a stopped one is mounted for the time, under the containers lock, so that
   * it cannot start meanwhile.
   */
  public <T> T withRootfs(String ref, RootfsWork<T> work) throws IOException {
    ContainerRecord r = inspect(ref);
    Path cdir = containerDir(r.id());
    if (r.state() == ContainerState.RUNNING) {
      OciRuntime runtime = runtime(r);
      Optional<RuntimeState> state =
          started(runtime, r, Instant.now().plus(Duration.ofSeconds(10)));
      if (state.isPresent() && state.get().status().equals("paused")) {
        return work.on(rootfs(cdir)); // paused by the user, and left so
      }
      if (state.isPresent() && state.get().status().equals("running")) {
        runtime.pause(r.id());
        try {
          return work.on(rootfs(cdir));
        } finally {
          runtime.resume(r.id());
        }
      }
      // It ended meanwhile: once its monitor has recorded that, it is copied as a stopped one.
      await(r.id(), Duration.ofSeconds(10));
    }
    return FileLocks.withExclusive(
        lock(),
        () -> {
          ContainerRecord now =
              readRecord(cdir).orElseThrow(() -> new ContainerException("no such container: " + ref));
          if (now.state() == ContainerState.RUNNING) {
            throw new ContainerException("container " + now.name() + " started meanwhile; try again");
          }
          mountRootfs(now);
          try {
            return work.on(rootfs(cdir));
          } finally {
            unmountAll(cdir);
          }
        });
  }

  /** Whether the container's process has a terminal ({@code -t}). */
  public boolean hasTerminal(String ref) throws IOException {
    Path cdir = containerDir(find(ref).id());
    return JsonFiles.read(cdir.resolve("config.json"), RuntimeSpecCodec.INSTANCE)
        .process()
        .terminal();
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
    ContainerRecord r = inspect(ref);
    if (r.state() != ContainerState.RUNNING) {
      throw new ContainerException("container " + r.name() + " is not running");
    }
    Path cdir = containerDir(r.id());
    if (!hasTerminal(r.id())) {
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
        if (!Instant.now().isBefore(deadline) || inspect(r.id()).state() != ContainerState.RUNNING) {
          throw new ContainerException("cannot attach to " + r.name() + ": " + e.getMessage());
        }
        sleep(ATTACH_POLL);
      }
    }
  }

  /** The runtime bundle directory ({@code config.json}) of a container. */
  public Path bundle(String ref) throws IOException {
    return containerDir(find(ref).id());
  }

  /**
   * Waits until the container is no longer running, for at most {@code timeout}.
   *
   * @return its record then (exited or still running when the time ran out)
   */
  public ContainerRecord await(String ref, Duration timeout) throws IOException {
    ContainerRecord r = find(ref);
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      Optional<ContainerRecord> now = readRecord(containerDir(r.id()));
      if (now.isEmpty()) {
        return r.exited(null, now(), null, false);
      }
      ContainerRecord fresh = refresh(now.get());
      if (fresh == null
          || fresh.state() != ContainerState.RUNNING
          || !Instant.now().isBefore(deadline)) {
        return fresh == null ? r.exited(null, now(), null, false) : fresh;
      }
      sleep(POLL);
    }
  }

  // ---------------------------------------------------------------- signals

  /**
   * Sends {@code signal} to a running container.
   *
   * @throws ContainerException when it is not running
   */
  public void kill(String ref, String signal) throws IOException {
    ContainerRecord r = inspect(ref);
    if (r.state() != ContainerState.RUNNING || !signal(r, signal)) {
      throw new ContainerException("container " + r.name() + " is not running");
    }
  }

  /**
   * Stops a running container: its image's StopSignal (or SIGTERM), then SIGKILL after {@code
   * timeout}. A container that is not running is left as it is.
   *
   * @return its record afterwards
   */
  public ContainerRecord stop(String ref, Duration timeout) throws IOException {
    ContainerRecord r = inspect(ref);
    if (r.state() != ContainerState.RUNNING) {
      return r;
    }
    String signal = r.stopSignal() == null || r.stopSignal().isBlank() ? "TERM" : r.stopSignal();
    if (!signal(r, signal)) {
      return await(r.id(), Duration.ofSeconds(10));
    }
    ContainerRecord after = await(r.id(), timeout);
    if (after.state() == ContainerState.RUNNING) {
      signal(r, "KILL");
      after = await(r.id(), Duration.ofSeconds(10));
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
    OciRuntime runtime = runtime(r);
    Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
    while (true) {
      Optional<RuntimeState> state = started(runtime, r, deadline);
      boolean waiting = Instant.now().isBefore(deadline);
      if (state.isEmpty() || "stopped".equals(state.get().status())) {
        return false;
      }
      try {
        runtime.kill(r.id(), signal);
        if ("paused".equals(state.get().status())) {
          // A frozen process takes its signal only once thawed, as docker does it.
          runtime.resume(r.id());
          FileLocks.withExclusive(lock(), () -> {
            Optional<ContainerRecord> now = readRecord(containerDir(r.id()));
            if (now.isPresent()) {
              write(now.get().withPaused(false));
            }
            return null;
          });
        }
        return true;
      } catch (OciRuntimeException e) {
        if (!waiting) {
          return false;
        }
        sleep(POLL); // it ended meanwhile, or is being deleted: the state says which
      }
    }
  }

  /**
   * The runtime's state of a container recorded as running, once the runtime has started it (or
   * it has stopped, or its monitor is gone, or {@code deadline} has passed): between "recorded
   * as running" and "started", the runtime's own init stands in for its process.
   */
  private Optional<RuntimeState> started(OciRuntime runtime, ContainerRecord r, Instant deadline)
      throws IOException {
    while (true) {
      Optional<RuntimeState> state = runtime.state(r.id());
      boolean beforeStart =
          state.isEmpty()
              || !Set.of("running", "stopped", "paused").contains(state.get().status());
      if (!beforeStart || !Instant.now().isBefore(deadline) || !monitorAlive(r)) {
        return state;
      }
      sleep(POLL);
    }
  }

  // ---------------------------------------------------------------- exec

  /**
   * Runs one more process in a running container, on this process's stdio (a terminal proxied by
   * the runtime with {@code -t}; stdin passed only when {@code interactive}), and returns its exit
   * code. It gets the container's environment (plus the request's), user, working directory,
   * capabilities and limits unless the request says otherwise.
   *
   * @throws ContainerException when the container is not running
   * @throws UnknownUserException when the user is not in the container's account files
   * @throws OciRuntimeException when the runtime could not start the process (see {@link
   *     #failureExitCode})
   * @throws InterruptedException if interrupted while waiting; the process is killed
   */
  public int exec(String ref, ExecRequest request, boolean interactive)
      throws IOException, InterruptedException {
    ContainerRecord r = inspect(ref);
    if (r.state() != ContainerState.RUNNING) {
      throw new ContainerException("container " + r.name() + " is not running");
    }
    awaitRuntimeStarted(r);
    Path cdir = containerDir(r.id());
    RuntimeSpec spec = JsonFiles.read(cdir.resolve("config.json"), RuntimeSpecCodec.INSTANCE);
    RuntimeSpec.Process base = spec.process();
    RuntimeSpec.User user = base.user();
    RuntimeSpec.Capabilities caps = base.capabilities();
    if (request.user() != null) {
      ResolvedUser u = ImageUsers.resolve(rootfs(cdir), request.user());
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
      Stdio stdio = request.terminal() ? Stdio.inherit() : Stdio.piped(interactive);
      return runtime(r).exec(r.id(), file, stdio, true);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * Waits out the moment between "recorded as running" and "started by the runtime" (a monitor
   * just launched), during which the runtime does not know the container yet.
   */
  private void awaitRuntimeStarted(ContainerRecord r) throws IOException {
    OciRuntime runtime = runtime(r);
    Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
    while (Instant.now().isBefore(deadline)) {
      Optional<RuntimeState> state = runtime.state(r.id());
      if (state.isPresent() && "running".equals(state.get().status())) {
        return;
      }
      sleep(POLL);
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
    ContainerRecord r = inspect(ref);
    if (r.state() == ContainerState.RUNNING) {
      if (!force) {
        throw new ContainerException(
            "container " + r.name() + " is running: stop it first, or remove it with force");
      }
      signal(r, "KILL");
      await(r.id(), Duration.ofSeconds(10));
    }
    delete(r, true);
    if (removeVolumes) {
      removeAnonymousVolumes(r);
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
    List<String> removed = new ArrayList<>();
    for (ContainerRecord r : list(true)) {
      if (r.state() != ContainerState.RUNNING) {
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
   * that failed in an older version): {@code ps} cannot show them nor {@code rm} remove them.
   * With {@code remove}, they are unmounted and deleted (those that stay mounted are kept).
   *
   * @throws IOException if listing or deleting fails
   */
  public List<String> strays(boolean remove) throws IOException {
    List<String> found = new ArrayList<>();
    FileLocks.withExclusive(
        lock(),
        () -> {
          if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
              for (Path e : entries) {
                String name = e.getFileName().toString();
                if (ID.matcher(name).matches() && readable(e).isEmpty()) {
                  if (!remove) {
                    found.add(name);
                    continue;
                  }
                  unmountAll(e);
                  if (MountTable.mountPointsUnder(e).isEmpty()) {
                    Trees.deleteRecursively(e);
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

  private static Optional<ContainerRecord> readable(Path cdir) {
    try {
      return readRecord(cdir);
    } catch (IOException damaged) {
      return Optional.empty();
    }
  }

  /**
   * Deletes a stopped container's runtime state (when {@code runtimeState} may be left), mounts
   * and directory, under the lock.
   */
  private void delete(ContainerRecord r, boolean runtimeState) throws IOException {
    Path cdir = containerDir(r.id());
    FileLocks.withExclusive(
        lock(),
        () -> {
          if (runtimeState) {
            try {
              runtime(r).delete(r.id(), true);
            } catch (IOException | IllegalArgumentException ignored) {
              // A missing runtime must not keep a container from being removed.
            }
          }
          unmountAll(cdir);
          // Never delete through a mount: a still-mounted rootfs would delete inside volumes.
          if (!MountTable.mountPointsUnder(cdir).isEmpty()) {
            throw new ContainerException(
                "container " + r.name() + " still has mounts under " + cdir);
          }
          Trees.deleteRecursively(cdir);
          return null;
        });
  }

  private void removeAnonymousVolumes(ContainerRecord r) {
    for (String v : r.anonymousVolumes()) {
      try {
        volumes.remove(v);
      } catch (IOException stillUsed) {
        // Another container uses it too; Docker keeps it then.
      }
    }
  }

  // ---------------------------------------------------------------- state

  /**
   * Brings a running record up to date when its monitor is gone (a killed monitor or foreground
   * CLI, a host restart): if the runtime says the container stopped, it is marked exited (exit
   * code unknown) and unmounted, and removed when it was started with {@code --rm}. Returns null
   * when the record is gone.
   */
  private ContainerRecord refresh(ContainerRecord r) throws IOException {
    if (r.state() != ContainerState.RUNNING || monitorAlive(r)) {
      return r;
    }
    OciRuntime runtime = runtimeIfAny(r);
    Optional<RuntimeState> state = runtime == null ? Optional.empty() : runtime.state(r.id());
    if (state.isPresent() && state.get().isRunning()) {
      // Its monitor died, but the container lives on (a foreground CLI killed while its
      // container ignored the SIGTERM passed on to it): stop, kill and rm still reach it.
      return r;
    }
    ContainerRecord done =
        FileLocks.withExclusive(
            lock(),
            () -> {
              Optional<ContainerRecord> cur = readRecord(containerDir(r.id()));
              if (cur.isEmpty()
                  || cur.get().state() != ContainerState.RUNNING
                  || monitorAlive(cur.get())) {
                return cur.orElse(null);
              }
              if (runtime != null) {
                runtime.delete(r.id(), true);
              }
              unmountAll(containerDir(r.id()));
              ContainerRecord exited =
                  cur.get().exited(null, now(), "its monitor process disappeared", false);
              write(exited);
              return exited;
            });
    if (done != null && done.autoRemove() && done.state() == ContainerState.EXITED) {
      delete(done, false);
      removeAnonymousVolumes(done);
      return null;
    }
    return done;
  }

  /** Its runtime, or null when that cannot be found: nothing can run under it then. */
  private OciRuntime runtimeIfAny(ContainerRecord r) throws IOException {
    try {
      return runtime(r);
    } catch (RuntimeNotFoundException | IllegalArgumentException gone) {
      return null;
    }
  }

  private static boolean monitorAlive(ContainerRecord r) {
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

  /** The names of the volumes any container references. */
  private Set<String> volumesInUse() throws IOException {
    Set<String> used = new HashSet<>();
    for (ContainerRecord r : readAll()) {
      used.addAll(r.volumes());
    }
    return used;
  }

  private ContainerRecord find(String ref) throws IOException {
    if (ref == null || ref.isEmpty()) {
      throw new ContainerException("no container named");
    }
    if (ID.matcher(ref).matches()) {
      Optional<ContainerRecord> r = readRecord(containerDir(ref));
      if (r.isPresent()) {
        return r.get();
      }
    }
    List<ContainerRecord> all = readAll();
    for (ContainerRecord r : all) {
      if (r.name().equals(ref)) {
        return r;
      }
    }
    List<ContainerRecord> byPrefix =
        ref.matches("[0-9a-f]+") ? all.stream().filter(r -> r.id().startsWith(ref)).toList()
            : List.of();
    if (byPrefix.size() == 1) {
      return byPrefix.get(0);
    }
    if (byPrefix.size() > 1) {
      throw new ContainerException("container id prefix " + ref + " is ambiguous");
    }
    throw new ContainerException("no such container: " + ref);
  }

  private List<ContainerRecord> readAll() throws IOException {
    List<ContainerRecord> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path e : entries) {
        if (ID.matcher(e.getFileName().toString()).matches()) {
          try {
            readRecord(e).ifPresent(out::add);
          } catch (IOException unreadable) {
            // A damaged record must not hide the others.
          }
        }
      }
    }
    return out;
  }

  private static Optional<ContainerRecord> readRecord(Path cdir) throws IOException {
    Path f = cdir.resolve(RECORD);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    return Optional.of(JsonFiles.read(f, ContainerRecordCodec.INSTANCE));
  }

  /**
   * Writes a record atomically. It is synced to disk only for a container that is kept: a {@code
   * --rm} container is disposable, and should a crash lose its record, {@link #prune} removes
   * what is left of it.
   */
  private void write(ContainerRecord r) throws IOException {
    AtomicFiles.write(
        containerDir(r.id()).resolve(RECORD),
        JsonWriter.toBytes(r, ContainerRecordCodec.INSTANCE),
        !r.autoRemove());
  }

  /** Changes a record under the lock; null (and nothing written) when it was removed meanwhile. */
  private ContainerRecord update(String id, UnaryOperator<ContainerRecord> change)
      throws IOException {
    return FileLocks.withExclusive(
        lock(),
        () -> {
          Optional<ContainerRecord> cur = readRecord(containerDir(id));
          if (cur.isEmpty()) {
            return null;
          }
          ContainerRecord next = change.apply(cur.get());
          write(next);
          return next;
        });
  }

  // ---------------------------------------------------------------- mounts

  private static Path rootfs(Path cdir) {
    return cdir.resolve("rootfs");
  }

  private void mountRootfs(ContainerRecord r) throws IOException {
    Path cdir = containerDir(r.id());
    unmountAll(cdir);
    if (Files.exists(cdir.resolve(FLATTENED))) {
      return; // the flattened copy made at its first start is its root filesystem
    }
    // overlayfs wants an empty work directory; a crash may have left index/work entries.
    Trees.deleteRecursively(cdir.resolve("work"));
    Files.createDirectories(cdir.resolve("work"));
    List<Path> lowers = r.lowerDirs().stream().map(Path::of).toList();
    try {
      OverlayMount.of(lowers, cdir.resolve("upper"), cdir.resolve("work")).mountOn(rootfs(cdir));
    } catch (IOException overlayFailed) {
      flatten(cdir, lowers, overlayFailed);
    }
  }

  /**
   * For an image whose layers could not be extracted (see {@link ContainerImage#plainCopy}): its
   * root filesystem is written once into the rootfs directory, as the flattened fallback does.
   */
  private static void copyImage(Path cdir, ContainerImage.PlainCopy copy) throws IOException {
    copy.into(rootfs(cdir));
    Files.createFile(cdir.resolve(FLATTENED));
    if (FLATTEN_NOTED.compareAndSet(false, true)) {
      System.err.println(
          "lamina: layers cannot be extracted for overlayfs here; using a flattened copy of the"
              + " image's layers");
    }
  }

  /**
   * Where kernel overlayfs cannot be used (no privilege, or a store on a filesystem overlayfs
   * refuses as upper, such as overlayfs itself), the layers are copied once into the rootfs
   * directory, which is then as disposable as an upper. Said once per process on stderr.
   */
  private static void flatten(Path cdir, List<Path> lowers, IOException overlayFailed)
      throws IOException {
    Path rootfs = rootfs(cdir);
    try {
      unmountAll(cdir);
      Trees.deleteRecursively(rootfs);
      Files.createDirectories(rootfs);
      FlattenedRootfs.assemble(lowers, rootfs);
      Files.createFile(cdir.resolve(FLATTENED));
    } catch (IOException e) {
      overlayFailed.addSuppressed(e);
      throw overlayFailed;
    }
    if (FLATTEN_NOTED.compareAndSet(false, true)) {
      System.err.println(
          "lamina: overlayfs cannot be used here ("
              + firstLine(overlayFailed.getMessage())
              + "); using a flattened copy of the image's layers");
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private static void unmountAll(Path cdir) throws IOException {
    OverlayMount.unmountAllUnder(cdir);
  }

  // ---------------------------------------------------------------- helpers

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private static void sleep(Duration d) throws IOException {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
