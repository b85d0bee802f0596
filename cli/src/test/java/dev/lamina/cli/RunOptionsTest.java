package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.testing.Requirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code run}'s docker flags end to end on runc: --mount, --init, --privileged, --device,
 * --ulimit, --shm-size, --label, --annotation, --cidfile, --stop-signal, --stop-timeout,
 * --platform, health checks and restart policies.
 */
class RunOptionsTest {
  @TempDir static Path shared;
  private static Path rootfs;

  @TempDir Path tmp;
  private Cli lamina;

  @BeforeAll
  static void rootfs() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    rootfs = Cli.busyboxRootfs(shared.resolve("rootfs"));
    Files.createDirectories(rootfs.resolve("seed"));
    Files.writeString(rootfs.resolve("seed/from-image"), "seeded");
  }

  @BeforeEach
  void store() {
    lamina = new Cli(tmp.resolve("store"));
    lamina.run("import", "--change", "CMD [\"sh\"]", rootfs.toString(), "busybox").ok();
  }

  @AfterEach
  void noMountLeft() throws Exception {
    for (String id : lamina.run("ps", "-aq").out().lines().toList()) {
      lamina.run("rm", "-f", "-v", id);
    }
    List<Path> left = MountTable.mountPointsUnder(tmp);
    OverlayMount.unmountAllUnder(tmp);
    assertEquals(List.of(), left);
  }

  private Cli.Result sh(List<String> flags, String script) {
    List<String> args = new java.util.ArrayList<>(List.of("run", "--rm"));
    args.addAll(flags);
    args.addAll(List.of("busybox", "sh", "-c", script));
    return lamina.run(args.toArray(String[]::new));
  }

  private JsonNode inspect(String name) throws Exception {
    return Json.readTree(lamina.run("inspect", name).ok().out().getBytes(StandardCharsets.UTF_8))
        .get(0);
  }

  /** Polls (a minute at most) until {@code done} holds for the container's inspect output. */
  private JsonNode awaitInspect(String name, Predicate<JsonNode> done) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
    JsonNode n = inspect(name);
    while (!done.test(n)) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("never came: " + n);
      }
      Thread.sleep(100);
      n = inspect(name);
    }
    return n;
  }

  @Test
  void mount_bindVolumeTmpfs_withDockersKeys() throws Exception {
    Path host = Files.createDirectories(tmp.resolve("host dir"));
    Files.writeString(host.resolve("f"), "from host");
    String out =
        sh(
            List.of(
                "--mount", "type=bind,\"source=" + host + "\",target=/b,readonly",
                "--mount", "type=bind,src=" + host + ",dst=/p,bind-propagation=rshared",
                "--mount", "type=volume,source=seeded,destination=/seed",
                "--mount", "type=volume,src=empty,dst=/seed2,volume-nocopy",
                "--mount", "type=tmpfs,dst=/t,tmpfs-size=1m,tmpfs-mode=1770"),
            "cat /b/f; echo; touch /b/x 2>/dev/null || echo ro;"
                + " grep ' /p ' /proc/self/mountinfo | grep -c shared:;"
                + " cat /seed/from-image; echo; ls /seed2 | wc -l;"
                + " stat -c %a /t; grep ' /t ' /proc/mounts | grep -o 'size=[0-9]*k'")
            .ok()
            .out();
    assertEquals(
        List.of("from host", "ro", "1", "seeded", "0", "1770", "size=1024k"),
        out.lines().toList());
    for (String bad :
        List.of(
            "type=bind,target=/x", "type=nfs,target=/x", "type=bind,src=relative,dst=/x",
            "type=volume,dst=/x,volume-opt=type=nfs", "type=tmpfs,dst=/x,tmpfs-size=big",
            "type=bind,src=/,dst=/x,bind-propagation=sideways", "type=tmpfs,dst=/x,colour=red",
            "type=volume")) {
      Cli.Result r = lamina.run("run", "--rm", "--mount", bad, "busybox", "true");
      assertEquals(125, r.code(), bad);
      assertTrue(r.err().startsWith("lamina: invalid --mount "), bad + ": " + r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
    }
  }

  @Test
  void init_runsAsPid1_andStartsTheCommand() {
    assertEquals(
        "/run/lamina-init\n",
        sh(List.of("--init"), "tr '\\0' '\\n' < /proc/1/cmdline | head -1").ok().out());
    assertEquals("sh\n", sh(List.of(), "tr '\\0' '\\n' < /proc/1/cmdline | head -1").ok().out());
    Cli.Result r = sh(List.of("--init"), "exit 3");
    assertEquals(3, r.code(), r.err());
  }

  @Test
  void privileged_device_ulimit_shmSize() throws Exception {
    String caps = "grep CapEff /proc/self/status | tr -d '\\t'";
    assertEquals("CapEff:00000000a80425fb\n", sh(List.of(), caps).ok().out());
    String privileged = sh(List.of("--privileged"), caps + "; grep -c ' /sys sysfs rw' /proc/mounts;"
        + " grep -c Seccomp:.0 /proc/self/status").ok().out();
    List<String> p = privileged.lines().toList();
    // Every capability this process holds (its bounding set), not docker's default set.
    String bounding =
        Files.readAllLines(Path.of("/proc/self/status")).stream()
            .filter(l -> l.startsWith("CapBnd:"))
            .map(l -> l.substring(7).strip())
            .findFirst().orElseThrow();
    assertEquals("CapEff:" + bounding, p.get(0), privileged);
    assertEquals(List.of("1", "1"), p.subList(1, 3));

    // A device node of our own (the host's /dev stays untouched): char 1:3, as /dev/null.
    Path node = tmp.resolve("mynull");
    Process mknod = new ProcessBuilder("mknod", node.toString(), "c", "1", "3").start();
    assertEquals(0, mknod.waitFor());
    assertEquals(
        "c 1 3\nok\n",
        sh(List.of("--device", node + ":/dev/mine"),
            "ls -l /dev/mine | awk '{print substr($1,1,1), $5+0, $6}'; echo x > /dev/mine && echo ok")
            .ok().out());
    assertEquals(125, lamina.run("run", "--rm", "--device", tmp.toString() + "/none",
        "busybox", "true").code());

    // RLIMIT_NOFILE defaults to the host's hard limit when that is below a million.
    long hostHard =
        Files.readAllLines(Path.of("/proc/self/limits")).stream()
            .filter(l -> l.startsWith("Max open files"))
            .map(l -> l.trim().split("\\s{2,}")[2])
            .map(v -> v.equals("unlimited") ? 1048576L : Math.min(Long.parseLong(v), 1048576L))
            .findFirst().orElseThrow();
    assertEquals(hostHard + "\n", sh(List.of(), "ulimit -Hn").ok().out());
    assertEquals(
        List.of("512", "1024", "unlimited"),
        sh(List.of("--ulimit", "nofile=512:1024", "--ulimit", "core=-1"),
            "ulimit -n; ulimit -Hn; ulimit -c").ok().out().lines().toList());
    Cli.Result bad = lamina.run("run", "--rm", "--ulimit", "files=1", "busybox", "true");
    assertEquals(125, bad.code());
    assertTrue(bad.err().contains("unknown limit files"), bad.err());

    assertEquals(
        List.of("65536", "131072"),
        List.of(
            sh(List.of(), "df -k /dev/shm | awk 'NR==2{print $2}'").ok().out().strip(),
            sh(List.of("--shm-size", "128m"), "df -k /dev/shm | awk 'NR==2{print $2}'")
                .ok().out().strip()));
  }

  @Test
  void labels_annotations_cidfile_stopSignal_stopTimeout_platform() throws Exception {
    Path cid = tmp.resolve("cid");
    lamina.run("create", "--name", "made", "-l", "a=1", "--label", "flag",
        "--annotation", "org.example.x=y", "--cidfile", cid.toString(),
        "--stop-timeout", "1", "--stop-signal", "USR1", "busybox").ok();
    JsonNode n = inspect("made");
    assertEquals(n.get("Id").asText(), Files.readString(cid));
    assertEquals("1", n.get("Config").get("Labels").get("a").asText());
    assertEquals("", n.get("Config").get("Labels").get("flag").asText());
    assertEquals("USR1", n.get("Config").get("StopSignal").asText());
    assertEquals(1, n.get("Config").get("StopTimeout").asInt());
    JsonNode spec = Json.readTree(Files.readAllBytes(
        tmp.resolve("store/containers/" + n.get("Id").asText() + "/config.json")));
    assertEquals("y", spec.get("annotations").get("org.example.x").asText());
    Cli.Result again = lamina.run("create", "--cidfile", cid.toString(), "busybox");
    assertEquals(125, again.code());
    assertTrue(again.err().contains("container ID file found"), again.err());
    lamina.run("rm", "made").ok();

    // The stop signal reaches the container; the stop timeout decides when SIGKILL follows:
    // TERM is trapped and takes 3 s, so with --stop-timeout 1 it is killed (137).
    String trapScript = "trap 'echo usr1; exit 5' USR1; trap 'sleep 3; exit 6' TERM;"
        + " echo ready; while :; do sleep 0.1; done";
    lamina.run("run", "-d", "--name", "sig", "--stop-signal", "SIGUSR1", "busybox", "sh", "-c",
        trapScript).ok();
    awaitLog("sig", "ready");
    lamina.run("stop", "sig").ok();
    assertEquals(5, inspect("sig").get("State").get("ExitCode").asInt());
    lamina.run("run", "-d", "--name", "slow", "--stop-timeout", "1", "busybox", "sh", "-c",
        trapScript).ok();
    awaitLog("slow", "ready");
    lamina.run("stop", "slow").ok();
    assertEquals(137, inspect("slow").get("State").get("ExitCode").asInt());

    String other = dev.lamina.layerfs.oci.Platform.host().architecture().equals("arm64")
        ? "linux/amd64" : "linux/arm64";
    Cli.Result platform = lamina.run("run", "--rm", "--platform", other, "busybox", "true");
    assertEquals(125, platform.code());
    assertTrue(platform.err().contains(other) && platform.err().contains("cross-platform"),
        platform.err());
    lamina.run("run", "--rm", "--platform",
        "linux/" + dev.lamina.layerfs.oci.Platform.host().architecture(), "busybox", "true").ok();
  }

  private void awaitLog(String name, String text) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
    while (!lamina.run("logs", name).out().contains(text)) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(name + " never printed " + text);
      }
      Thread.sleep(50);
    }
  }

  @Test
  void healthcheck_runByHand_recorded_shownByPs() throws Exception {
    lamina.run("run", "-d", "--name", "hc", "--health-cmd", "test -f /tmp/ok || (echo missing; exit 1)",
        "--health-interval", "1h", "--health-retries", "1", "busybox", "sleep", "300").ok();
    assertTrue(lamina.run("ps").ok().out().contains("(health: starting)"));
    Cli.Result sick = lamina.run("healthcheck", "run", "hc");
    assertEquals(1, sick.code(), sick.err());
    assertEquals("unhealthy\n", sick.out());
    assertTrue(lamina.run("ps").ok().out().contains("(unhealthy)"));
    JsonNode health = inspect("hc").get("State").get("Health");
    assertEquals("unhealthy", health.get("Status").asText());
    assertEquals("missing\n", health.get("Log").get(0).get("Output").asText());
    lamina.run("exec", "hc", "touch", "/tmp/ok").ok();
    assertEquals(0, lamina.run("healthcheck", "run", "hc").code());
    assertTrue(lamina.run("ps").ok().out().contains("(healthy)"));

    Cli.Result none = lamina.run("healthcheck", "run", "nope");
    assertEquals(125, none.code());
    lamina.run("run", "-d", "--name", "plain", "busybox", "sleep", "300").ok();
    assertEquals(125, lamina.run("healthcheck", "run", "plain").code());
  }

  @Test
  void healthcheck_image_timer_noHealthcheck_timeout() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("Dockerfile"),
        "FROM busybox\nHEALTHCHECK --interval=1s --timeout=5s CMD test -f /tmp/ok\n");
    lamina.run("build", "-q", "-t", "checked", ctx.toString()).ok();
    lamina.run("run", "-d", "--name", "img", "checked", "sh", "-c", "touch /tmp/ok; sleep 300").ok();
    // The timer checks every second: healthy without anyone asking.
    awaitInspect("img", n -> n.get("State").has("Health")
        && n.get("State").get("Health").get("Status").asText().equals("healthy"));
    // Its timer is a process of its own that ends with the container.
    String id = inspect("img").get("Id").asText();
    assertTrue(watchers(id) > 0, "a timer runs");
    lamina.run("rm", "-f", "img").ok();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
    while (watchers(id) > 0 && Instant.now().isBefore(deadline)) {
      Thread.sleep(100);
    }
    assertEquals(0, watchers(id), "the timer ended with its container");
    lamina.run("run", "-d", "--name", "off", "--no-healthcheck", "checked", "sleep", "300").ok();
    assertFalse(inspect("off").get("State").has("Health"));
    assertFalse(lamina.run("ps", "--format", "{{.Names}} {{.Status}}").ok().out().lines()
        .anyMatch(l -> l.startsWith("off ") && l.contains("health")), "no health for off");
    // A check past its timeout fails (-1), said in docker's words.
    lamina.run("run", "-d", "--name", "stuck", "--health-cmd", "sleep 30", "--health-timeout",
        "500ms", "--health-interval", "1h", "--health-retries", "1", "busybox", "sleep", "300").ok();
    assertEquals(1, lamina.run("healthcheck", "run", "stuck").code());
    JsonNode last = inspect("stuck").get("State").get("Health").get("Log").get(0);
    assertEquals(-1, last.get("ExitCode").asInt());
    assertEquals("Health check exceeded timeout (500ms)", last.get("Output").asText());
    assertEquals(125, lamina.run("run", "--rm", "--health-interval", "x", "busybox", "true").code());
  }

  /** Processes whose command line names container {@code id}: its health-check timer. */
  private static long watchers(String id) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().arguments().map(a -> List.of(a).contains(id)
            && List.of(a).contains("watch")).orElse(false))
        .count();
  }

  @Test
  void restart_onFailureCounts_alwaysUntilStopped_conflictsWithRm() throws Exception {
    lamina.run("run", "-d", "--name", "fails", "--restart", "on-failure:2", "busybox", "sh", "-c",
        "exit 3").ok();
    JsonNode n = awaitInspect("fails", j -> j.get("RestartCount").asInt() == 2
        && j.get("State").get("Status").asText().equals("exited"));
    assertEquals(3, n.get("State").get("ExitCode").asInt());
    assertEquals("on-failure", n.get("HostConfig").get("RestartPolicy").get("Name").asText());
    // No third restart follows.
    Thread.sleep(1500);
    assertEquals(2, inspect("fails").get("RestartCount").asInt());

    lamina.run("run", "-d", "--name", "ok", "--restart", "on-failure", "busybox", "true").ok();
    awaitInspect("ok", j -> j.get("State").get("Status").asText().equals("exited"));
    Thread.sleep(1000);
    assertEquals(0, inspect("ok").get("RestartCount").asInt());

    // In the foreground too: run returns the exit code, the container comes back.
    assertEquals(4, lamina.run("run", "--name", "fg", "--restart", "always", "busybox", "sh",
        "-c", "sleep 0.3; exit 4").code());
    awaitInspect("fg", j -> j.get("RestartCount").asInt() >= 1
        && j.get("State").get("Status").asText().equals("running"));
    lamina.run("stop", "-t", "0", "fg").ok();
    JsonNode stopped = awaitInspect("fg", j -> j.get("State").get("Status").asText().equals("exited"));
    int count = stopped.get("RestartCount").asInt();
    Thread.sleep(1500);
    JsonNode later = inspect("fg");
    assertEquals("exited", later.get("State").get("Status").asText(), "a stopped one stays down");
    assertEquals(count, later.get("RestartCount").asInt());

    Cli.Result rm = lamina.run("run", "--rm", "--restart", "always", "busybox", "true");
    assertEquals(125, rm.code());
    assertTrue(rm.err().contains("--restart and --rm"), rm.err());
    assertEquals(125, lamina.run("run", "--restart", "sometimes", "busybox", "true").code());
  }
}
