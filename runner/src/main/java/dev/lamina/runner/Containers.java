package dev.lamina.runner;

import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.runner.internal.AtomicFiles;
import dev.lamina.runner.internal.FileLock;
import dev.lamina.runner.internal.Trees;
import dev.lamina.runner.runtime.OciRuntime;
import dev.lamina.runner.runtime.OciRuntimeException;
import dev.lamina.runner.runtime.OciRuntimes;
import dev.lamina.runner.runtime.RuntimeState;
import dev.lamina.runner.runtime.Stdio;
import dev.lamina.runner.spec.BindMount;
import dev.lamina.runner.spec.ContainerOptions;
import dev.lamina.runner.spec.RootFiles;
import dev.lamina.runner.spec.RuntimeSpec;
import dev.lamina.runner.spec.RuntimeSpecs;
import dev.lamina.runner.volume.CopyUp;
import dev.lamina.runner.volume.Volume;
import dev.lamina.runner.volume.VolumeSpec;
import dev.lamina.runner.volume.Volumes;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
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
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration POLL = Duration.ofMillis(25);

  private final Path root;
  private final Path dir;
  private final Volumes volumes;
  private final MonitorLauncher launcher;

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
    OciRuntime runtime = OciRuntimes.select(request.runtime(), root.resolve("runtime"));
    ContainerRecord record = reserve(request, runtime.name());
    Path cdir = containerDir(record.id());
    List<String> anonymous = new ArrayList<>();
    try {
      mountRootfs(record);
      try {
        List<String> used = new ArrayList<>();
        List<BindMount> binds = resolveVolumes(request, rootfs(cdir), used, anonymous);
        ContainerOptions options = request.options().toBuilder().binds(binds).build();
        if (options.hostname() == null) {
          options = options.toBuilder().hostname(record.shortId()).build();
        }
        RuntimeSpec spec =
            RuntimeSpecs.fromImageConfig(request.image().config(), options, rootfs(cdir));
        AtomicFiles.write(cdir.resolve("config.json"), Json.toBytes(spec));
        List<String> command = spec.process().args();
        return update(record.id(), r -> r.withCommand(command, used, anonymous));
      } finally {
        unmountAll(cdir);
      }
    } catch (IOException | RuntimeException e) {
      discard(record.id(), anonymous);
      throw e;
    }
  }

  private ContainerRecord reserve(ContainerRequest request, String runtimeName)
      throws IOException {
    if (request.name() != null) {
      ContainerNames.validate(request.name());
    }
    return FileLock.with(
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
          byte[] b = new byte[32];
          RANDOM.nextBytes(b);
          String id = HexFormat.of().formatHex(b);
          Path cdir = containerDir(id);
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
                  List.of());
          write(record);
          return record;
        });
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
      FileLock.with(
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
   * @param forwardSignals pass SIGINT and SIGTERM this process receives to the container
   * @throws OciRuntimeException when the runtime could not start the container (the record keeps
   *     the error and exit code 125, 126 or 127, as Docker)
   * @throws IOException when creating the container fails
   * @throws InterruptedException if interrupted while waiting; the container is killed
   */
  public int run(ContainerRequest request, Stdio stdio, boolean forwardSignals)
      throws IOException, InterruptedException {
    ContainerRecord record = create(request);
    return startAttached(record.id(), stdio, forwardSignals);
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
    ContainerRecord prior = find(ref);
    String id = prior.id();
    ProcessHandle self = ProcessHandle.current();
    String selfStart = self.info().startInstant().map(Instant::toString).orElse(null);
    ContainerRecord record =
        FileLock.with(
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
    OciRuntime runtime = runtime(record);
    boolean ranToEnd = false;
    try {
      // A container that ran before may have left runtime state behind (a killed monitor).
      if (prior.startedAt() != null) {
        runtime.delete(record.id(), true);
      }
      mountRootfs(record);
      if (forwardSignals) {
        try (SignalForwarder f = new SignalForwarder(runtime, record.id())) {
          code = runtime.run(record.id(), cdir, stdio);
        }
      } else {
        code = runtime.run(record.id(), cdir, stdio);
      }
      ranToEnd = true;
      return code;
    } catch (OciRuntimeException e) {
      error = e.getMessage();
      code = startFailureCode(e.getMessage());
      throw e;
    } catch (IOException | RuntimeException e) {
      error = e.getMessage();
      code = 125;
      throw e;
    } finally {
      finish(record, runtime, code, error, !ranToEnd);
    }
  }

  /** Docker's codes: 127 command not found, 126 not executable, 125 anything else. */
  private static int startFailureCode(String message) {
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
      ContainerRecord record, OciRuntime runtime, Integer code, String error, boolean abnormal)
      throws IOException {
    Path cdir = containerDir(record.id());
    if (abnormal) {
      // A foreground run that returned normally has had its state removed by the runtime.
      try {
        runtime.delete(record.id(), true);
      } catch (IOException ignored) {
        // The unmount and the record matter more.
      }
    }
    try {
      unmountAll(cdir);
    } finally {
      ContainerRecord done = update(record.id(), r -> r.exited(code, now(), error));
      if (done != null && done.autoRemove()) {
        remove(record.id(), true, true);
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
        return record.exited(null, now(), null);
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
    return refresh(find(ref));
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

  /** The log of a detached container (stdout and stderr). */
  public Path logFile(String ref) throws IOException {
    return containerDir(find(ref).id()).resolve("ctr.log");
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
        return r.exited(null, now(), null);
      }
      ContainerRecord fresh = refresh(now.get());
      if (fresh == null || fresh.state() != ContainerState.RUNNING
          || !Instant.now().isBefore(deadline)) {
        return fresh == null ? r.exited(null, now(), null) : fresh;
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
   * the runtime", when the runtime cannot signal it yet. False when the container is gone.
   */
  private boolean signal(ContainerRecord r, String signal) throws IOException {
    OciRuntime runtime = runtime(r);
    Instant deadline = Instant.now().plus(Duration.ofSeconds(5));
    while (true) {
      try {
        runtime.kill(r.id(), signal);
        return true;
      } catch (OciRuntimeException e) {
        Optional<RuntimeState> state = runtime.state(r.id());
        boolean starting =
            state.isEmpty() && monitorAlive(r)
                || state.isPresent() && !"stopped".equals(state.get().status());
        if (!starting || !Instant.now().isBefore(deadline)) {
          return false;
        }
        sleep(POLL);
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
    ContainerRecord r = inspect(ref);
    if (r.state() == ContainerState.RUNNING) {
      if (!force) {
        throw new ContainerException(
            "container " + r.name() + " is running: stop it first, or remove it with force");
      }
      signal(r, "KILL");
      await(r.id(), Duration.ofSeconds(10));
    }
    Path cdir = containerDir(r.id());
    FileLock.with(
        lock(),
        () -> {
          try {
            runtime(r).delete(r.id(), true);
          } catch (IOException ignored) {
            // A missing runtime must not keep a container from being removed.
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
    if (removeVolumes) {
      for (String v : r.anonymousVolumes()) {
        try {
          volumes.remove(v);
        } catch (IOException stillUsed) {
          // Another container uses it too; Docker keeps it then.
        }
      }
    }
  }

  // ---------------------------------------------------------------- state

  /**
   * Brings a running record up to date when its monitor is gone: if the runtime says the
   * container stopped, it is marked exited (exit code unknown) and unmounted. Returns null when
   * the record vanished meanwhile.
   */
  private ContainerRecord refresh(ContainerRecord r) throws IOException {
    if (r.state() != ContainerState.RUNNING || monitorAlive(r)) {
      return r;
    }
    OciRuntime runtime = runtime(r);
    Optional<RuntimeState> state = runtime.state(r.id());
    if (state.isPresent() && state.get().isRunning()) {
      // Its monitor died, but the container lives on (a killed foreground CLI).
      return r;
    }
    return FileLock.with(
        lock(),
        () -> {
          Optional<ContainerRecord> cur = readRecord(containerDir(r.id()));
          if (cur.isEmpty() || cur.get().state() != ContainerState.RUNNING || monitorAlive(cur.get())) {
            return cur.orElse(null);
          }
          runtime.delete(r.id(), true);
          unmountAll(containerDir(r.id()));
          ContainerRecord done = cur.get().exited(null, now(), "its monitor process disappeared");
          write(done);
          return done;
        });
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
    return Optional.of(Json.read(Files.readAllBytes(f), ContainerRecord.class));
  }

  private void write(ContainerRecord r) throws IOException {
    AtomicFiles.write(containerDir(r.id()).resolve(RECORD), Json.toBytes(r));
  }

  /** Changes a record under the lock; null (and nothing written) when it was removed meanwhile. */
  private ContainerRecord update(String id, UnaryOperator<ContainerRecord> change)
      throws IOException {
    return FileLock.with(
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
    // overlayfs wants an empty work directory; a crash may have left index/work entries.
    Trees.deleteRecursively(cdir.resolve("work"));
    Files.createDirectories(cdir.resolve("work"));
    List<Path> lowers = r.lowerDirs().stream().map(Path::of).toList();
    OverlayMount.of(lowers, cdir.resolve("upper"), cdir.resolve("work")).mountOn(rootfs(cdir));
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
