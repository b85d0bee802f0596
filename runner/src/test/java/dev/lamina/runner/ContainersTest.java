package dev.lamina.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.runner.runtime.OciRuntimeException;
import dev.lamina.runner.runtime.OciRuntime;
import dev.lamina.runner.runtime.OciRuntimes;
import dev.lamina.runner.runtime.RuntimeSource;
import dev.lamina.runner.runtime.Stdio;
import dev.lamina.runner.spec.ContainerOptions;
import dev.lamina.runner.volume.VolumeException;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Containers on the real kernel with runc: isolation, lifecycle, volumes, mounts. */
class ContainersTest {
  @TempDir static Path shared;
  private static Path base;

  @TempDir Path tmp;
  private Path root;
  private Containers containers;

  /** Output and exit code of one foreground container. */
  record Result(int code, String out) {}

  @BeforeAll
  static void buildRootfs() throws IOException {
    base = ContainerFixtures.busyboxBase(shared);
    Files.createDirectories(base.resolve("seed"));
    Files.writeString(base.resolve("seed/from-image"), "seeded");
  }

  @BeforeEach
  void setUp() {
    root = tmp.resolve("lamina");
    containers = Containers.open(root, ExitCommand.javaProcess(), OciRuntimes.source(root));
  }

  @AfterEach
  void noMountLeft() throws IOException {
    ContainerFixtures.removeAllLeavingNoMount(containers, tmp);
  }

  private static ContainerImage image(ContainerConfig config, List<Path> lowers) {
    return new ContainerImage(
        "localhost/busybox:latest",
        Digest.sha256("config".getBytes(StandardCharsets.UTF_8)).toString(),
        ImageConfig.empty("2026-01-01T00:00:00Z").withConfig(config),
        lowers);
  }

  private static ContainerImage busybox() {
    return image(ContainerConfig.EMPTY.toBuilder().cmd(List.of("sh")).build(), List.of(base));
  }

  private ContainerRequest sh(String script) {
    return sh(ContainerOptions.builder(), script);
  }

  private ContainerRequest sh(ContainerOptions.Builder options, String script) {
    return ContainerRequest.of(busybox(), options.args("sh", "-c", script).build());
  }

  private Result run(ContainerRequest request) throws Exception {
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Stdio stdio =
        new Stdio(
            Redirect.from(Path.of("/dev/null").toFile()),
            Redirect.appendTo(out.toFile()),
            Redirect.appendTo(out.toFile()));
    int code = containers.run(request, stdio, false);
    return new Result(code, Files.readString(out).strip());
  }

  private Result runRm(String script) throws Exception {
    return run(sh(script).withAutoRemove(true));
  }

  /**
   * A container's directory is never seen without its record, by anything that looks (as another
   * process does) while containers are created: a creator killed at any moment (SIGKILL) leaves
   * nothing that {@code ps} cannot show and {@code system check} reports.
   */
  @Test
  void create_directoryNeverSeenWithoutItsRecord() throws Exception {
    Path dir = root.resolve("containers");
    java.util.concurrent.atomic.AtomicBoolean creating =
        new java.util.concurrent.atomic.AtomicBoolean(true);
    java.util.Set<String> halfMade = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Thread observer = new Thread(() -> {
      while (creating.get()) {
        try (var entries = Files.newDirectoryStream(dir)) {
          for (Path e : entries) {
            String name = e.getFileName().toString();
            if (name.matches("[0-9a-f]{64}") && !Files.exists(e.resolve("container.json"))
                && Files.exists(e)) {
              halfMade.add(name);
            }
          }
        } catch (IOException notYet) {
          // containers/ is made with the first container
        }
      }
    });
    observer.start();
    try {
      for (int i = 0; i < 30; i++) {
        containers.create(sh("true"));
      }
    } finally {
      creating.set(false);
      observer.join();
    }
    assertEquals(java.util.Set.of(), halfMade);
    assertEquals(30, containers.list(true).size());
    assertEquals(List.of(), containers.strays(false));
  }

  @Test
  void run_pidNamespace_shellIsPid1() throws Exception {
    assertEquals("1", runRm("echo $$").out());
  }

  @Test
  void run_hostname_defaultsToShortId() throws Exception {
    // On a network of its own; on the host's, the host's name (ContainerNetworkTest).
    Result r = run(sh("hostname").withName("host").withNetwork(ContainerNetwork.parse("none", null)));
    assertEquals(containers.inspect("host").shortId(), r.out());
    assertEquals("given", run(sh(ContainerOptions.builder().hostname("given"), "hostname")).out());
  }

  @Test
  void run_maskedPaths_readEmpty() throws Exception {
    // Only paths this kernel has are masked (there is no /proc/kcore without CONFIG_PROC_KCORE).
    List<String> present =
        dev.lamina.runner.spec.RuntimeSpecs.MASKED_PATHS.stream()
            .filter(p -> p.startsWith("/proc/") && Files.isRegularFile(Path.of(p)))
            .toList();
    assertFalse(present.isEmpty());
    StringBuilder script = new StringBuilder();
    for (String p : present) {
      script.append("echo ").append(p).append(" $(cat ").append(p).append(" | wc -c); ");
    }
    script.append("ls /sys/firmware | wc -l; echo x > /proc/sys/kernel/domainname");
    Result r = runRm(script.toString());
    for (String p : present) {
      assertTrue(List.of(r.out().split("\n")).contains(p + " 0"), r.out());
    }
    // stdout and stderr interleave in any order: compare whole lines.
    assertTrue(List.of(r.out().split("\n")).contains("0"), r.out());
    assertTrue(r.out().contains("Read-only file system"), r.out());
  }

  @Test
  void run_root_dockerDefaultCapabilities() throws Exception {
    Result r = runRm("grep -E '^Cap(Bnd|Eff)' /proc/self/status; grep NoNewPrivs /proc/self/status");
    assertTrue(r.out().contains("CapBnd:\t00000000a80425fb"), r.out());
    assertTrue(r.out().contains("CapEff:\t00000000a80425fb"), r.out());
    assertTrue(r.out().contains("NoNewPrivs:\t0"), r.out());
  }

  /**
   * The device cgroup: root may make device nodes (CAP_MKNOD) but opens only the default ones;
   * the host's memory and disks stay out of reach.
   */
  @Test
  void run_deviceNodes_onlyTheDefaultsOpen() throws Exception {
    Result r =
        runRm(
            "mknod /tmp/mem c 1 1 && mknod /tmp/disk b 8 0 && mknod /tmp/null c 1 3"
                + " && echo made; head -c 1 /tmp/mem; head -c 1 /tmp/disk;"
                + " head -c 1 /tmp/null && echo null-opens");
    List<String> lines = List.of(r.out().split("\n"));
    assertTrue(lines.contains("made"), r.out());
    assertTrue(lines.contains("null-opens"), r.out());
    assertEquals(
        2, lines.stream().filter(l -> l.endsWith("Operation not permitted")).count(), r.out());
  }

  /**
   * A runtime given by path is kept by path; when it is gone by the time the container starts,
   * the start fails cleanly: the container is not left "running", and listing and removing it
   * still work.
   */
  @Test
  void runtimeByPath_gone_startFailsCleanly_listAndRemoveStillWork() throws Exception {
    Path wrapper = tmp.resolve("my-runc");
    Files.writeString(wrapper, "#!/bin/sh\nexec runc \"$@\"\n");
    assertTrue(wrapper.toFile().setExecutable(true));
    ContainerRecord c =
        containers.create(sh("true").withName("wrapped").withRuntime(wrapper.toString()));
    assertEquals(wrapper.toString(), c.runtime());
    Files.delete(wrapper);
    Stdio stdio = Stdio.inherit();
    assertThrows(IOException.class, () -> containers.startAttached("wrapped", stdio, false));
    assertEquals(ContainerState.CREATED, containers.inspect("wrapped").state());
    assertEquals(1, containers.list(true).size());
    containers.remove("wrapped", true, true);
    assertEquals(List.of(), containers.list(true));
  }

  @Test
  void run_capAddAndDrop_changeBoundingSet() throws Exception {
    Result r =
        run(
            sh(
                    ContainerOptions.builder().capAdd("SYS_PTRACE").capDrop("NET_RAW"),
                    "grep CapBnd /proc/self/status")
                .withAutoRemove(true));
    long expected = 0xa80425fbL | (1L << 19) & ~0L;
    expected &= ~(1L << 13);
    assertTrue(r.out().contains(String.format("%016x", expected)), r.out());
  }

  @Test
  void run_nonRootUser_noEffectiveCapabilities() throws Exception {
    Result r =
        run(
            sh(
                    ContainerOptions.builder().user("app").noNewPrivileges(true),
                    "id -u; grep -E 'CapEff|NoNewPrivs' /proc/self/status")
                .withAutoRemove(true));
    assertTrue(r.out().startsWith("1000\n"), r.out());
    assertTrue(r.out().contains("CapEff:\t0000000000000000"), r.out());
    assertTrue(r.out().contains("NoNewPrivs:\t1"), r.out());
  }

  @Test
  void run_unknownUser_clearErrorAndNothingLeft() {
    IOException e =
        assertThrows(
            IOException.class, () -> run(sh(ContainerOptions.builder().user("ghost"), "true")));
    assertTrue(e.getMessage().contains("ghost"), e.getMessage());
  }

  @Test
  void run_fds_onlyStdioAndTheListingsOwn() throws Exception {
    // ls opens /proc/self/fd itself: that is fd 3. Anything more leaked from Lamina or runc.
    assertEquals("0\n1\n2\n3", runRm("ls -1 /proc/self/fd").out());
  }

  @Test
  void run_workdir_insideRootfs() throws Exception {
    Result r =
        run(
            sh(ContainerOptions.builder().workdir("/srv/app"), "pwd; readlink /proc/self/cwd")
                .withAutoRemove(true));
    assertEquals("/srv/app\n/srv/app", r.out());
  }

  @Test
  void run_writes_landInUpperAndLowerUnchanged() throws Exception {
    String before = hashTree(base);
    Result r =
        run(
            sh("echo changed >> /etc/passwd; echo new > /etc/new; rm /bin/vi; cat /etc/new")
                .withName("writer"));
    assertEquals("new", r.out());
    assertEquals(before, hashTree(base));
    Path upper = containers.bundle("writer").resolve("upper");
    assertEquals("new\n", Files.readString(upper.resolve("etc/new")));
    assertTrue(Files.readString(upper.resolve("etc/passwd")).endsWith("changed\n"));

    containers.remove("writer", false, false);
    assertFalse(Files.exists(upper));
    assertEquals(before, hashTree(base));
  }

  @Test
  void volume_dataSurvivesRemovalAndIsSeenByNextContainer() throws Exception {
    assertEquals(0, run(sh("echo kept > /data/f").withVolumes(List.of("data:/data")).withAutoRemove(true)).code());
    Result next = run(sh("cat /data/f").withVolumes(List.of("data:/data")).withAutoRemove(true));
    assertEquals("kept", next.out());
    assertEquals("kept\n", Files.readString(containers.volumes().inspect("data").mountpoint().resolve("f")));
  }

  @Test
  void volume_inUse_removeRefusedUntilContainerRemoved() throws Exception {
    run(sh("true").withName("user").withVolumes(List.of("busy:/busy")));
    VolumeException e =
        assertThrows(VolumeException.class, () -> containers.volumes().remove("busy"));
    assertTrue(e.getMessage().contains("in use"), e.getMessage());
    containers.remove("user", false, true);
    assertTrue(containers.volumes().find("busy").isPresent(), "named volume kept by rm -v");
    containers.volumes().remove("busy");
    assertTrue(containers.volumes().find("busy").isEmpty());
  }

  @Test
  void volume_emptyNamedVolume_copiedUpFromImage() throws Exception {
    Result r = run(sh("cat /seed/from-image").withVolumes(List.of("seeded:/seed")).withAutoRemove(true));
    assertEquals("seeded", r.out());
    assertTrue(Files.exists(containers.volumes().inspect("seeded").mountpoint().resolve("from-image")));
  }

  @Test
  void volume_bindMountReadOnly() throws Exception {
    Path host = Files.createDirectories(tmp.resolve("hostdir"));
    Files.writeString(host.resolve("h"), "from host\n");
    Result r =
        run(sh("cat /h/h; echo x > /h/new").withVolumes(List.of(host + ":/h:ro")).withAutoRemove(true));
    assertTrue(List.of(r.out().split("\n")).contains("from host"), r.out());
    assertTrue(r.out().contains("Read-only file system"), r.out());
    assertFalse(Files.exists(host.resolve("new")));
  }

  @Test
  void volume_imageVolume_getsAnonymousVolumeRemovedWithRm() throws Exception {
    ContainerImage img =
        image(
            ContainerConfig.EMPTY.toBuilder()
                .cmd(List.of("sh", "-c", "echo a > /cache/a"))
                .volumes(Map.of("/cache", Map.of()))
                .build(),
            List.of(base));
    assertEquals(0, run(ContainerRequest.of(img, ContainerOptions.defaults()).withName("anon")).code());
    ContainerRecord rec = containers.inspect("anon");
    assertEquals(1, rec.anonymousVolumes().size());
    String vol = rec.anonymousVolumes().get(0);
    assertTrue(containers.volumes().find(vol).isPresent());
    containers.remove("anon", false, true);
    assertTrue(containers.volumes().find(vol).isEmpty());
  }

  @Test
  void run_failedStart_recordedAndNoMountLeft() throws Exception {
    OciRuntimeException e =
        assertThrows(
            OciRuntimeException.class,
            () ->
                run(
                    ContainerRequest.of(
                            busybox(), ContainerOptions.builder().args("/no/such/cmd").build())
                        .withName("broken")));
    assertTrue(e.getMessage().contains("/no/such/cmd"), e.getMessage());
    assertEquals(127, e.exitCode());
    ContainerRecord rec = containers.inspect("broken");
    assertEquals(ContainerState.EXITED, rec.state());
    assertEquals(127, rec.exitCode());
    assertEquals(List.of(), MountTable.mountPointsUnder(root));
  }

  @Test
  void run_commandNotExecutable_126() throws Exception {
    OciRuntimeException e =
        assertThrows(
            OciRuntimeException.class,
            () ->
                run(
                    ContainerRequest.of(
                            busybox(), ContainerOptions.builder().args("/etc/passwd").build())
                        .withName("plain")));
    assertEquals(126, e.exitCode(), e.getMessage());
    assertEquals(126, containers.inspect("plain").exitCode());
  }

  @Test
  void run_130Lowers_allLayersVisible() throws Exception {
    List<Path> lowers = new ArrayList<>();
    for (int i = 0; i < 129; i++) {
      Path layer = Files.createDirectories(tmp.resolve("layers/" + "l".repeat(40) + i + "/layers"));
      Files.writeString(layer.resolve("f" + i), "x");
      lowers.add(0, layer.getParent());
    }
    lowers.add(base);
    ContainerImage img =
        image(ContainerConfig.EMPTY.toBuilder().cmd(List.of("sh", "-c", "ls /layers | wc -l")).build(), lowers);
    Result r = run(ContainerRequest.of(img, ContainerOptions.defaults()).withAutoRemove(true));
    assertEquals("129", r.out());
  }

  @Test
  void stop_foregroundContainer_termThenKill() throws Exception {
    ContainerRecord rec = containers.create(sh("sleep 60").withName("sleeper"));
    AtomicInteger code = new AtomicInteger(-1);
    Thread t =
        new Thread(
            () -> {
              try {
                code.set(containers.startAttached(rec.id(), quiet(), false));
              } catch (Exception e) {
                code.set(-2);
              }
            });
    t.start();
    awaitRunning("sleeper");
    assertTrue(StatusText.of(containers.inspect("sleeper"), Instant.now()).startsWith("Up "));
    assertThrows(ContainerException.class, () -> containers.remove("sleeper", false, false));

    // sleep as pid 1 ignores SIGTERM: stop must fall back to SIGKILL.
    ContainerRecord stopped = containers.stop("sleeper", Duration.ofMillis(500));
    t.join(10_000);
    assertEquals(ContainerState.EXITED, stopped.state());
    assertEquals(137, code.get());
    assertEquals(137, containers.inspect("sleeper").exitCode());
  }

  @Test
  void run_sigtermToLamina_forwardedToContainer() throws Exception {
    ContainerRecord rec =
        containers.create(
            sh("trap 'exit 3' TERM; while true; do sleep 0.1; done").withName("trapper"));
    AtomicInteger code = new AtomicInteger(-1);
    Thread t =
        new Thread(
            () -> {
              try {
                code.set(containers.startAttached(rec.id(), quiet(), true));
              } catch (Exception e) {
                code.set(-2);
              }
            });
    t.start();
    awaitRunning("trapper");
    Thread.sleep(300);
    new ProcessBuilder("kill", "-TERM", Long.toString(ProcessHandle.current().pid()))
        .start()
        .waitFor();
    t.join(10_000);
    assertEquals(3, code.get());
  }

  @Test
  void start_detached_monitorKeepsLogAndExitCode() throws Exception {
    ContainerRecord rec = containers.create(sh("echo hello; sleep 0.5; exit 5").withName("bg"));
    ContainerRecord started = containers.start(rec.id());
    assertTrue(started.state() != ContainerState.CREATED);
    ContainerRecord done = containers.await("bg", Duration.ofSeconds(30));
    assertEquals(ContainerState.EXITED, done.state());
    assertEquals(5, done.exitCode());
    assertEquals("hello\n", logText("bg"));
  }

  /** The mount id of the overlay on {@code rootfs}, from this process's mount table. */
  private static String mountId(Path rootfs) throws IOException {
    String target = rootfs.toAbsolutePath().normalize().toString();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] f = line.split(" ");
      if (f[4].equals(target)) {
        return f[0];
      }
    }
    return null;
  }

  /**
   * {@code run -d}: the overlay mounted when the container was created is the one it runs on (not
   * unmounted and mounted again), and the record exists before it starts.
   */
  @Test
  void runDetached_startsOnTheOverlayItWasCreatedWith() throws Exception {
    String[] atCreation = new String[1];
    ContainerRecord started =
        containers.runDetached(
            sh("sleep 30").withName("bg"),
            created -> {
              try {
                atCreation[0] = mountId(root.resolve("containers").resolve(created.id()).resolve("rootfs"));
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    assertEquals(ContainerState.RUNNING, started.state());
    assertTrue(atCreation[0] != null, "not mounted when created");
    assertEquals(
        atCreation[0], mountId(root.resolve("containers").resolve(started.id()).resolve("rootfs")));
  }

  /** The line of the mount on / in the container's own mount table. */
  private static final String ROOT_MOUNT = "awk '$5 == \"/\"' /proc/self/mountinfo";

  /**
   * A {@code --rm} container's upper is thrown away, so it is mounted volatile: its unmount does
   * not sync the store's whole filesystem (as podman mounts {@code --rm} containers). A container
   * that may start again keeps what it writes, so its overlay is not.
   */
  @Test
  void rootfs_volatileOnlyForAContainerRemovedAtItsExit() throws Exception {
    Result rm = runRm(ROOT_MOUNT);
    assertEquals(0, rm.code(), rm.out());
    assertTrue(MountTable.parse(rm.out()).overlayVolatile(), rm.out());

    Result kept = run(sh(ROOT_MOUNT).withName("kept"));
    assertEquals(0, kept.code(), kept.out());
    assertTrue(kept.out().contains("upperdir="), kept.out());
    assertFalse(MountTable.parse(kept.out()).overlayVolatile(), kept.out());
  }

  /**
   * Creation mounts the image only to read it, volatile (overlayfs leaves its mark in the work
   * directory, which would refuse a mount on that directory); the start mounts again on a new work
   * directory, to keep what the container writes.
   */
  @Test
  void create_readsThroughAVolatileMount_startMountsToKeep() throws Exception {
    ContainerRecord rec = containers.create(sh(ROOT_MOUNT).withName("later"));
    Path cdir = root.resolve("containers").resolve(rec.id());
    assertTrue(Files.isDirectory(cdir.resolve("work/work/incompat/volatile")),
        "creation's mount was not volatile");
    assertEquals(null, mountId(cdir.resolve("rootfs")));

    containers.start(rec.id());
    ContainerRecord done = containers.await("later", Duration.ofSeconds(30));
    assertEquals(0, done.exitCode());
    String line = logText("later").strip();
    assertTrue(line.contains("upperdir="), line);
    assertFalse(MountTable.parse(line).overlayVolatile(), line);
  }

  /** A failure of the caller's step between creation and start leaves it created, unmounted. */
  @Test
  void runDetached_failingBeforeTheStart_leavesItCreatedAndUnmounted() throws Exception {
    assertThrows(
        IllegalStateException.class,
        () -> containers.runDetached(sh("true").withName("bg"), created -> {
          throw new IllegalStateException("cidfile");
        }));
    ContainerRecord r = containers.list(true).get(0);
    assertEquals(ContainerState.CREATED, r.state());
    assertEquals(null, mountId(root.resolve("containers").resolve(r.id()).resolve("rootfs")));
  }

  @Test
  void start_detachedTerminal_logHasTerminalOutputAndExitCode() throws Exception {
    ContainerRecord rec =
        containers.create(
            sh(
                    ContainerOptions.builder().terminal(true),
                    "tty; test -t 0 && echo TTY; stty size; exit 5")
                .withName("bg"));
    containers.start(rec.id());
    ContainerRecord done = containers.await("bg", Duration.ofSeconds(30));
    assertEquals(ContainerState.EXITED, done.state());
    assertEquals(5, done.exitCode());
    // As a terminal gives it: CRLF line ends, and the default size.
    assertEquals("/dev/pts/0\r\nTTY\r\n24 80\r\n", logText("bg"));
    try (Stream<Path> s = Files.walk(root.resolve("runtime"))) {
      assertEquals(List.of(), s.filter(p -> p.toString().endsWith(".pid")).toList());
    }
  }

  @Test
  void stop_detachedTerminal_termThenKill() throws Exception {
    ContainerOptions.Builder tty = ContainerOptions.builder().terminal(true);
    containers.start(
        containers
            .create(ContainerRequest.of(busybox(), tty.args("sleep", "60").build()).withName("sleeper"))
            .id());
    awaitRunning("sleeper");
    // pid 1 ignores SIGTERM: killed after the timeout.
    ContainerRecord stopped = containers.stop("sleeper", Duration.ofMillis(500));
    assertEquals(ContainerState.EXITED, stopped.state());
    assertEquals(137, stopped.exitCode());

    containers.start(
        containers
            .create(
                sh(ContainerOptions.builder().terminal(true),
                        "trap 'echo term; exit 4' TERM; echo up; while :; do sleep 0.1; done")
                    .withName("trap"))
            .id());
    awaitRunning("trap");
    awaitLog("trap", "up");
    ContainerRecord trapped = containers.stop("trap", Duration.ofSeconds(10));
    assertEquals(4, trapped.exitCode());
    assertEquals("up\r\nterm\r\n", logText("trap"));
  }

  @Test
  void monitorOfDetachedTerminal_sigtermForwarded_killedMonitorLeavesContainerRemovable()
      throws Exception {
    containers.start(
        containers
            .create(
                sh(ContainerOptions.builder().terminal(true),
                        "trap 'echo term; exit 4' TERM; echo up; while :; do sleep 0.1; done")
                    .withName("trap"))
            .id());
    awaitLog("trap", "up");
    signalMonitor("trap", "TERM");
    ContainerRecord done = containers.await("trap", Duration.ofSeconds(10));
    assertEquals(4, done.exitCode());

    ContainerOptions.Builder tty = ContainerOptions.builder().terminal(true);
    containers.start(
        containers
            .create(ContainerRequest.of(busybox(), tty.args("sleep", "60").build()).withName("sleeper"))
            .id());
    awaitRunning("sleeper");
    signalMonitor("sleeper", "KILL");
    // Its monitor gone, the container is still reached (or found exited), and removed.
    containers.remove("sleeper", true, true);
    assertEquals(List.of(), containers.list(true).stream().map(ContainerRecord::name)
        .filter("sleeper"::equals).toList());
  }

  private void signalMonitor(String name, String signal) throws Exception {
    long pid = containers.inspect(name).monitorPid();
    new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor();
  }

  private void awaitLog(String name, String text) throws Exception {
    for (int i = 0; i < 200; i++) {
      Path log = containers.logFile(name);
      if (Files.exists(log) && Files.readString(log).contains(text)) {
        return;
      }
      Thread.sleep(25);
    }
    throw new AssertionError(name + " never wrote " + text);
  }

  /** The output a container's log holds, as {@code logs} prints it. */
  private String logText(String name) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    ContainerLogs.copy(containers, name, out, false);
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * {@code stop} of many containers whose first process ignores SIGTERM takes one timeout, not one
   * each: every one gets its stop signal before any gets SIGKILL.
   */
  @Test
  void stop_manyIgnoringTerm_allSignalledBeforeAnyIsKilled() throws Exception {
    SignalLog signals = new SignalLog(OciRuntimes.select("runc", root.resolve("runtime")));
    Containers watched =
        Containers.open(root, ExitCommand.javaProcess(), RuntimeSource.of(signals));
    int n = 50;
    List<String> ids = new java.util.ArrayList<>();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<String>> started = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        // sleep as pid 1 has no handler for SIGTERM: the kernel ignores it.
        ContainerRequest r = sh("sleep 60").withName("sleeper" + i);
        started.add(pool.submit(() -> watched.start(watched.create(r).id()).id()));
      }
      for (var f : started) {
        ids.add(f.get());
      }
    } finally {
      pool.shutdown();
    }
    List<Containers.Outcome> outcomes = watched.stop(ids, Duration.ofSeconds(2));
    assertEquals(ids, outcomes.stream().map(Containers.Outcome::ref).toList());
    assertTrue(outcomes.stream().allMatch(o -> o.failure() == null), outcomes.toString());
    List<String> sent = signals.sent();
    int firstKill = sent.indexOf("KILL");
    assertEquals(n, sent.stream().filter("TERM"::equals).count(), sent.toString());
    assertEquals(n, sent.stream().filter("KILL"::equals).count(), sent.toString());
    assertEquals(n, firstKill, "every TERM before the first KILL: " + sent);
    for (String id : ids) {
      assertEquals(137, watched.inspect(id).exitCode());
    }
  }

  /**
   * A container whose monitor (conmon) was killed runs on, and is still stopped and removed with
   * nothing left: no runtime state, no mount.
   */
  @Test
  void killedMonitor_stopAndRemove_leaveNoRuntimeStateNorMount() throws Exception {
    OciRuntime runc = OciRuntimes.select("runc", root.resolve("runtime"));
    for (String name : List.of("stopped", "forced")) {
      ContainerRecord r = containers.start(containers.create(
          sh("trap 'exit 9' TERM; while :; do sleep 0.1; done").withName(name)).id());
      awaitRunning(name);
      signalMonitor(name, "KILL");
      ProcessHandle monitor = ProcessHandle.of(r.monitorPid()).orElse(null);
      for (int i = 0; i < 200 && monitor != null && monitor.isAlive(); i++) {
        Thread.sleep(25);
      }
      assertEquals(ContainerState.RUNNING, containers.inspect(name).state(), "it runs on");
      if (name.equals("stopped")) {
        ContainerRecord stopped = containers.stop(name, Duration.ofSeconds(10));
        assertEquals(ContainerState.EXITED, stopped.state());
        assertEquals(List.of(), MountTable.mountPointsUnder(root));
        containers.remove(name, false, true);
      } else {
        containers.remove(name, true, true);
      }
      assertTrue(runc.state(r.id()).isEmpty(), "no runtime state left");
      assertEquals(List.of(), MountTable.mountPointsUnder(root));
      assertFalse(Files.exists(root.resolve("containers").resolve(r.id())));
    }
  }

  /** A real runtime whose signals are written down in the order they are sent. */
  private static final class SignalLog implements OciRuntime {
    private final OciRuntime runc;
    private final List<String> sent = new java.util.ArrayList<>();

    SignalLog(OciRuntime runc) {
      this.runc = runc;
    }

    synchronized List<String> sent() {
      return List.copyOf(sent);
    }

    @Override
    public void kill(String id, String signal) throws IOException {
      runc.kill(id, signal);
      synchronized (this) {
        sent.add(signal.replaceFirst("^SIG", ""));
      }
    }

    @Override
    public String name() {
      return runc.name();
    }

    @Override
    public int run(String id, Path bundle, Stdio stdio, boolean keep, boolean forwardSignals)
        throws IOException, InterruptedException {
      return runc.run(id, bundle, stdio, keep, forwardSignals);
    }

    @Override
    public int exec(String id, Path process, Stdio stdio, boolean forwardSignals)
        throws IOException, InterruptedException {
      return runc.exec(id, process, stdio, forwardSignals);
    }

    @Override
    public void create(String id, Path bundle, Stdio stdio) throws IOException {
      runc.create(id, bundle, stdio);
    }

    @Override
    public java.util.Optional<dev.lamina.runner.runtime.RuntimeCommand> command(String id)
        throws IOException {
      return runc.command(id);
    }

    @Override
    public void start(String id) throws IOException {
      runc.start(id);
    }

    @Override
    public java.util.Optional<dev.lamina.runner.runtime.RuntimeState> state(String id)
        throws IOException {
      return runc.state(id);
    }

    @Override
    public dev.lamina.runner.runtime.ResourceUsage usage(String id) throws IOException {
      return runc.usage(id);
    }

    @Override
    public String processes(String id, List<String> psOptions) throws IOException {
      return runc.processes(id, psOptions);
    }

    @Override
    public void pause(String id) throws IOException {
      runc.pause(id);
    }

    @Override
    public void resume(String id) throws IOException {
      runc.resume(id);
    }

    @Override
    public void delete(String id, boolean force) throws IOException {
      runc.delete(id, force);
    }
  }

  private static Stdio quiet() {
    return new Stdio(
        Redirect.from(Path.of("/dev/null").toFile()), Redirect.DISCARD, Redirect.DISCARD);
  }

  private void awaitRunning(String name) throws Exception {
    for (int i = 0; i < 200; i++) {
      ContainerRecord r = containers.inspect(name);
      if (r.state() == ContainerState.RUNNING
          && OciRuntimes.select("runc", root.resolve("runtime"))
              .state(r.id())
              .map(s -> s.status().equals("running"))
              .orElse(false)) {
        return;
      }
      Thread.sleep(25);
    }
    throw new AssertionError(name + " did not start");
  }

  private static String hashTree(Path dir) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted().toList()) {
        md.update(dir.relativize(p).toString().getBytes(StandardCharsets.UTF_8));
        if (Files.isSymbolicLink(p)) {
          md.update(Files.readSymbolicLink(p).toString().getBytes(StandardCharsets.UTF_8));
        } else if (Files.isRegularFile(p)) {
          md.update(Files.readAllBytes(p));
        }
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}
