package dev.lamina.cli;

import dev.lamina.layerfs.testing.Requirements;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.overlay.OverlayMount;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The container and volume commands end to end, in-process, on real runc and overlayfs. */
class ContainerCommandsTest {
  @TempDir static Path shared;
  private static Path rootfs;

  @TempDir Path tmp;
  private Cli lamina;

  @BeforeAll
  static void rootfs() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Requirements.tool("conmon");
    rootfs = Cli.busyboxRootfs(shared.resolve("rootfs"));
    Files.createDirectories(rootfs.resolve("seed"));
    Files.writeString(rootfs.resolve("seed/from-image"), "seeded");
  }

  @BeforeEach
  void store() {
    lamina = new Cli(tmp.resolve("store"));
    lamina
        .run("import", "--change", "CMD [\"sh\"]", "--change", "VOLUME /cache",
            rootfs.toString(), "busybox")
        .ok();
  }

  @AfterEach
  void noMountLeft() throws Exception {
    lamina.run("rm", "-f", "-v", "sleeper", "bg", "trap").code();
    List<Path> left = MountTable.mountPointsUnder(tmp);
    OverlayMount.unmountAllUnder(tmp);
    assertEquals(List.of(), left);
  }

  private Cli.Result sh(String... argsThenScript) {
    String[] all = new String[argsThenScript.length + 3];
    System.arraycopy(argsThenScript, 0, all, 1, argsThenScript.length - 1);
    all[0] = "run";
    all[argsThenScript.length] = "busybox";
    all[argsThenScript.length + 1] = "sh";
    all[argsThenScript.length + 2] = "-c";
    String[] withScript = new String[all.length + 1];
    System.arraycopy(all, 0, withScript, 0, all.length);
    withScript[all.length] = argsThenScript[argsThenScript.length - 1];
    return lamina.run(withScript);
  }

  private JsonNode inspect(String name) throws Exception {
    return Json.readTree(lamina.run("inspect", name).ok().out().getBytes(StandardCharsets.UTF_8))
        .get(0);
  }

  @Test
  void run_exitCode_psAll_logs_rm() throws Exception {
    Cli.Result r = sh("--name", "seven", "echo out; echo err >&2; exit 7");
    assertEquals(7, r.code(), r.err());
    List<String> ps = lamina.run("ps", "-a").ok().lines();
    assertEquals(
        List.of("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"),
        List.of(ps.get(0).split("\\s{2,}")));
    assertTrue(ps.get(1).contains("Exited (7) "), ps.toString());
    assertTrue(ps.get(1).contains("\"sh -c echo out; ech…\""), ps.toString());
    assertTrue(ps.get(1).endsWith("seven"), ps.toString());
    assertEquals(1, lamina.run("ps").ok().lines().size(), "running only: header");
    String log = lamina.run("logs", "seven").ok().out();
    assertEquals(List.of("err", "out"), log.lines().sorted().toList());
    assertEquals(7, inspect("seven").get("State").get("ExitCode").asInt());
    assertEquals("seven\n", lamina.run("rm", "seven").ok().out());
    assertEquals(1, lamina.run("ps", "-a").ok().lines().size());
    assertEquals(125, lamina.run("logs", "seven").code());
  }

  /** A name docker refuses is refused before anything is done: no layer is extracted for it. */
  @Test
  void invalidName_refusedBeforeTheImageIsExtracted() throws Exception {
    for (String verb : List.of("run", "create")) {
      Cli.Result r = lamina.run(verb, "--name", "-bad", "busybox", "true");
      assertEquals(125, r.code(), r.err());
      assertEquals("lamina: invalid container name '-bad': only [a-zA-Z0-9][a-zA-Z0-9_.-] are"
          + " allowed", r.err().strip());
    }
    assertFalse(Files.exists(tmp.resolve("store/layers")), "a layer was extracted");
    assertEquals(List.of(), lamina.run("ps", "-aq").ok().lines());
  }

  @Test
  void run_rm_leavesNoContainerUpperOrMount() throws Exception {
    assertEquals(0, lamina.run("run", "--rm", "busybox", "true").code());
    assertEquals(List.of(), lamina.run("ps", "-aq").ok().lines());
    try (var s = Files.list(tmp.resolve("store/containers"))) {
      assertEquals(List.of(), s.filter(p -> !p.getFileName().toString().startsWith(".")).toList());
    }
  }

  @Test
  void run_startFailures_dockerExitCodes() {
    Cli.Result notFound = lamina.run("run", "--rm", "busybox", "/no/such/cmd");
    assertEquals(127, notFound.code(), notFound.err());
    // One line, Lamina's: the runtime's own error line does not reach the container's stderr.
    List<String> err = notFound.err().strip().lines().toList();
    assertEquals(1, err.size(), err.toString());
    assertTrue(err.get(0).startsWith("lamina: container command not found"), err.toString());
    Cli.Result notExecutable = lamina.run("run", "--rm", "busybox", "/etc/passwd");
    assertEquals(126, notExecutable.code(), notExecutable.err());
    assertEquals(1, notExecutable.err().strip().lines().count(), notExecutable.err());
    assertEquals(List.of(), lamina.run("ps", "-aq").ok().lines());
    assertEquals(125, lamina.run("run", "no-such-image").code());
    assertEquals(125, lamina.run("run", "--user", "ghost", "busybox", "true").code());
    assertEquals(ExitCodes.USAGE, lamina.run("run", "--no-such-flag", "busybox").code());
    Cli.Result tty = lamina.run("run", "-t", "busybox", "true");
    assertEquals(125, tty.code());
    assertTrue(tty.err().contains("not a TTY"), tty.err());
  }

  @Test
  void run_flags_env_envFile_workdir_user_entrypoint_hostname() throws Exception {
    Path envFile = tmp.resolve("env");
    Files.writeString(envFile, "# comment\nFROM_FILE=a b\n\nSHADOWED=file\n");
    Cli.Result r =
        lamina.run(
            "run", "--rm", "--env-file", envFile.toString(), "-e", "SHADOWED=flag", "-e",
            "PLAIN=1", "-w", "/srv/x", "-u", "app", "--hostname", "box", "--entrypoint",
            "/bin/sh", "busybox", "-c",
            "echo $FROM_FILE/$SHADOWED/$PLAIN; pwd; id -u; hostname; cat /etc/hostname;"
                + " grep -c box /etc/hosts; test -s /etc/resolv.conf && echo dns");
    assertEquals(
        List.of("a b/flag/1", "/srv/x", "1000", "box", "box", "1", "dns"),
        r.ok().out().lines().toList());
  }

  @Test
  void run_readOnly_tmpfs_networkNone() {
    Cli.Result r =
        sh("--rm", "--read-only", "--tmpfs", "/scratch", "--network", "none",
            "touch /x 2>/dev/null || echo ro; touch /scratch/y && echo tmpfs;"
                + " ls /sys/class/net | grep -vx lo | wc -l");
    assertEquals(List.of("ro", "tmpfs", "0"), r.ok().out().lines().toList());
  }

  @Test
  void isolation_pid1_caps_noNewPrivs_fds() {
    String out =
        sh("--rm",
                "echo $$; grep -E '^(CapBnd|NoNewPrivs)' /proc/self/status | tr -d '\\t';"
                    + " ls /proc/self/fd | wc -l")
            .ok()
            .out();
    assertEquals(List.of("1", "CapBnd:00000000a80425fb", "NoNewPrivs:0", "4"), out.lines().toList());
    for (String opt : List.of("no-new-privileges", "no-new-privileges=true", "no-new-privileges:true")) {
      assertEquals(
          "NoNewPrivs:\t1\n",
          sh("--rm", "--security-opt", opt, "grep NoNewPrivs /proc/self/status").ok().out(),
          opt);
    }
    assertEquals(
        "NoNewPrivs:\t0\n",
        sh("--rm", "--security-opt", "no-new-privileges=false", "grep NoNewPrivs /proc/self/status")
            .ok()
            .out());
  }

  @Test
  void volumes_named_persistAcrossRm_copyUp_inUse_prune() throws Exception {
    sh("--rm", "-v", "data:/seed", "cat /seed/from-image; echo kept > /seed/new").ok();
    assertEquals("seededkept\n", sh("--rm", "-v", "data:/seed", "cat /seed/*").ok().out());
    sh("--name", "user", "-v", "data:/seed", "true").ok();
    Cli.Result inUse = lamina.run("volume", "rm", "data");
    assertEquals(125, inUse.code());
    assertTrue(inUse.err().contains("in use"), inUse.err());
    lamina.run("volume", "create", "spare").ok();
    JsonNode vols =
        Json.readTree(lamina.run("volume", "ls", "--format", "json").ok().out().getBytes());
    assertEquals(3, vols.size(), vols.toString()); // data, spare, the anonymous /cache of "user"
    assertTrue(lamina.run("volume", "ls").ok().out().matches("(?s).*\\nlocal +spare\\n.*"));
    JsonNode data = Json.readTree(lamina.run("volume", "inspect", "data").ok().out().getBytes());
    assertTrue(Files.isRegularFile(Path.of(data.get(0).get("Mountpoint").asText(), "new")));

    assertEquals("Total volumes removed: 0\n", lamina.run("volume", "prune").ok().out());
    String pruned = lamina.run("volume", "prune", "-a").ok().out();
    assertTrue(pruned.contains("spare") && !pruned.contains("data"), pruned);
    lamina.run("rm", "-v", "user").ok();
    lamina.run("volume", "rm", "data").ok();
    assertEquals(List.of(), lamina.run("volume", "ls", "-q").ok().lines());
  }

  @Test
  void volumes_bindReadOnly_andHostileNamesRefused() throws Exception {
    Path host = Files.createDirectories(tmp.resolve("host"));
    Files.writeString(host.resolve("h"), "from host\n");
    Cli.Result r = sh("--rm", "-v", host + ":/h:ro", "cat /h/h; touch /h/new || echo refused");
    assertEquals(List.of("from host", "refused"), r.ok().out().lines().toList());
    assertFalse(Files.exists(host.resolve("new")));
    for (String bad : List.of("../escape:/x", "a/b:/x", ".hidden:/x", "vol:relative")) {
      Cli.Result b = lamina.run("run", "--rm", "-v", bad, "busybox", "true");
      assertEquals(125, b.code(), bad);
    }
    assertEquals(125, lamina.run("volume", "create", "../../etc").code());
    assertFalse(Files.exists(tmp.resolve("etc")));
  }

  @Test
  void detached_logsFollow_stop_kill_rmForce() throws Exception {
    String id = sh("-d", "--name", "bg", "echo start; sleep 1; echo end; exit 3").ok().out().strip();
    assertTrue(id.matches("[0-9a-f]{64}"), id);
    assertEquals("start\nend\n", lamina.run("logs", "-f", "bg").ok().out());
    assertTrue(lamina.run("ps", "-a").ok().out().contains("Exited (3)"));

    sh("-d", "--name", "trap", "trap 'echo term; exit 4' TERM; echo up; while :; do sleep 0.1; done")
        .ok();
    awaitLog("trap", "up");
    assertTrue(lamina.run("ps").ok().out().contains(" Up "));
    assertEquals("trap\n", lamina.run("stop", "-t", "5", "trap").ok().out());
    assertEquals(4, inspect("trap").get("State").get("ExitCode").asInt());

    sh("-d", "--name", "sleeper", "sleep 60").ok();
    assertEquals(125, lamina.run("rm", "sleeper").code());
    lamina.run("kill", "-s", "USR1", "sleeper").ok(); // pid 1 ignores it
    assertTrue(lamina.run("ps").ok().out().contains("sleeper"));
    lamina.run("rm", "-f", "sleeper").ok();
    assertEquals(125, lamina.run("kill", "bg").code(), "not running");
  }

  @Test
  void detachedTerminal_logsShowTerminal_stop_exitCode_nothingLeft() throws Exception {
    List<Path> consolesBefore = consoleDirs();
    sh("-dt", "--name", "bg", "tty; test -t 0 && echo TTY; exit 3").ok();
    assertEquals("/dev/pts/0\r\nTTY\r\n", lamina.run("logs", "-f", "bg").ok().out());
    assertEquals(3, inspect("bg").get("State").get("ExitCode").asInt());
    assertTrue(lamina.run("ps", "-a").ok().out().contains("Exited (3)"));

    lamina.run("run", "-d", "-t", "--name", "sleeper", "busybox", "sleep", "60").ok();
    awaitRunning("sleeper");
    assertTrue(lamina.run("ps").ok().out().contains("sleeper"));
    assertEquals("sleeper\n", lamina.run("stop", "-t", "1", "sleeper").ok().out());
    assertEquals(137, inspect("sleeper").get("State").get("ExitCode").asInt());
    assertEquals(consolesBefore, consoleDirs(), "console and attach sockets are gone");
  }

  /**
   * A stop that comes while the runtime has created the container but not yet started it (made
   * wide here by a runtime, given by path, that waits before each start) must wait for the
   * start: a signal in that window killed the runtime's init, and the monitor recorded 125.
   */
  @Test
  void stopBeforeTheRuntimeStarts_waitsForTheStart_runtimeByPathKept() throws Exception {
    Path slowRunc = tmp.resolve("slow-runc");
    Files.writeString(
        slowRunc,
        "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = start ] && sleep 1; done\nexec runc \"$@\"\n");
    slowRunc.toFile().setExecutable(true);
    for (String mode : List.of("-dt", "-d")) {
      lamina.run("run", mode, "--runtime", slowRunc.toString(), "--name", "sleeper", "busybox",
              "sleep", "60")
          .ok();
      assertEquals("sleeper\n", lamina.run("stop", "-t", "1", "sleeper").ok().out(), mode);
      JsonNode state = inspect("sleeper").get("State");
      assertEquals("", state.get("Error").asText(), mode);
      assertEquals(137, state.get("ExitCode").asInt(), mode);
      lamina.run("rm", "sleeper").ok();
    }
  }

  /**
   * Every container gets a seccomp filter (HARDENING section 5): root inside cannot make a user
   * namespace (which needs no capability), unless the filter is turned off or a capability that
   * allows it is added; a profile file replaces the filter; exec'd processes are filtered too.
   */
  @Test
  void seccomp_defaultFilter_capAdd_unconfined_profileFile_badOptions() throws Exception {
    String probe = "grep Seccomp: /proc/self/status; unshare -U true && echo unshared";
    Cli.Result filtered = sh("--rm", probe);
    assertEquals(List.of("Seccomp:\t2"), filtered.out().lines().toList());
    assertTrue(filtered.err().contains("Operation not permitted"), filtered.err());
    assertEquals(
        List.of("Seccomp:\t2", "unshared"),
        sh("--rm", "--cap-add", "SYS_ADMIN", probe).ok().out().lines().toList());
    assertEquals(
        List.of("Seccomp:\t0", "unshared"),
        sh("--rm", "--security-opt", "seccomp=unconfined", probe).ok().out().lines().toList());

    Path profile = tmp.resolve("no-mkdir.json");
    Files.writeString(
        profile,
        "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\"],"
            + "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}");
    Cli.Result custom =
        sh("--rm", "--security-opt", "seccomp=" + profile, "unshare -U true && mkdir /x");
    assertEquals(1, custom.code(), custom.err());
    assertTrue(custom.err().contains("Permission denied"), custom.err());

    sh("-d", "--name", "sleeper", "sleep 60").ok();
    awaitRunning("sleeper");
    assertEquals(
        "Seccomp:\t2\n",
        lamina.run("exec", "sleeper", "grep", "Seccomp:", "/proc/self/status").ok().out());

    for (String bad :
        List.of("seccomp=" + tmp.resolve("missing.json"), "seccomp=", "apparmor=p", "bogus",
            "no-new-privileges=maybe")) {
      Cli.Result r = lamina.run("run", "--rm", "--security-opt", bad, "busybox", "true");
      assertEquals(125, r.code(), bad);
      assertEquals(1, r.err().lines().count(), r.err());
    }
    assertEquals(
        0,
        lamina.run("run", "--rm", "--security-opt", "label=disable", "--security-opt",
                "no-new-privileges", "busybox", "true")
            .code());
  }

  @Test
  void create_start_startAttach_wait_restart() throws Exception {
    String created =
        lamina.run("create", "--name", "bg", "busybox", "sh", "-c", "echo hello-$((6*7)); exit 4")
            .ok().out().strip();
    assertTrue(created.matches("[0-9a-f]{64}"), created);
    assertTrue(lamina.run("ps", "-a").ok().out().contains("Created"));
    assertEquals("", lamina.run("logs", "bg").ok().out(), "created: nothing ran yet");

    Cli.Result attached = lamina.run("start", "-a", "bg");
    assertEquals(4, attached.code(), attached.err());
    assertEquals("hello-42\n", attached.out());
    Cli.Result again = lamina.run("start", "-a", "bg");
    assertEquals("hello-42\n", again.out(), "only the new run's output");
    assertEquals("hello-42\nhello-42\n", lamina.run("logs", "bg").ok().out());

    assertEquals("bg\n", lamina.run("start", "bg").ok().out());
    assertEquals("4\n", lamina.run("wait", "bg").ok().out());

    lamina.run("run", "-d", "--name", "trap", "busybox", "sh", "-c",
        "trap 'exit 9' TERM; echo up; while :; do sleep 0.1; done").ok();
    awaitLog("trap", "up");
    assertEquals("trap\n", lamina.run("restart", "-t", "5", "trap").ok().out());
    assertTrue(lamina.run("ps").ok().out().contains("trap"), "running again");
    lamina.run("stop", "trap").ok();
    assertEquals("9\n", lamina.run("wait", "trap").ok().out());

    assertEquals(125, lamina.run("start", "-a", "bg", "trap").code(), "-a takes one");
    assertEquals(125, lamina.run("wait", "nope").code());
  }

  @Test
  void logsTail_inspectFormat_psAndImagesTemplates() throws Exception {
    sh("--name", "bg", "for i in 1 2 3 4; do echo line$i; done; exit 3");
    assertEquals("line3\nline4\n", lamina.run("logs", "--tail", "2", "bg").ok().out());
    assertEquals("line4\n", lamina.run("logs", "-n", "1", "bg").ok().out());
    assertEquals("", lamina.run("logs", "-n", "0", "bg").ok().out());
    assertEquals(4, lamina.run("logs", "-n", "all", "bg").ok().out().lines().count());
    assertEquals(125, lamina.run("logs", "-n", "some", "bg").code());

    assertEquals(
        "exited 3 bg sh [-c for i in 1 2 3 4; do echo line$i; done; exit 3]\n",
        lamina.run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.Name}} "
                + "{{.Path}} {{.Args}}", "bg").ok().out());
    assertEquals("[\"sh\"]\n", lamina.run("inspect", "-f", "{{json .Config.Cmd}}", "busybox")
        .ok().out());
    assertEquals("-c|", lamina.run("inspect", "-f", "{{range .Args}}{{.}}|{{break}}{{end}}", "bg")
        .ok().out().strip());
    assertEquals(125, lamina.run("inspect", "-f", "{{template \"x\"}}", "bg").code());

    assertEquals("bg exited\n",
        lamina.run("ps", "-a", "--format", "{{.Names}} {{.State}}").ok().out());
    assertTrue(lamina.run("images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}").ok().out()
        .matches("(?s).*busybox:latest [0-9.]+[kMG]?B\n.*"));
  }

  @Test
  void diff_export_reimport() throws Exception {
    sh("--name", "bg", "echo new > /new; echo more >> /etc/passwd; rm /seed/from-image;"
        + " mkdir -p /tmp/d; touch /tmp/d/f").ok();
    assertEquals(
        List.of("C /etc", "C /etc/passwd", "A /new", "C /seed", "D /seed/from-image", "C /tmp",
            "A /tmp/d", "A /tmp/d/f"),
        lamina.run("diff", "bg").ok().out().lines().toList());

    sh("--name", "trap", "echo hi > /greeting").ok();
    assertEquals("A /greeting\n", lamina.run("diff", "trap").ok().out(),
        "not /etc, copied up only for the runtime's /etc/hosts and /etc/hostname");

    Path tar = tmp.resolve("bg.tar");
    lamina.run("export", "-o", tar.toString(), "bg").ok();
    assertFalse(Files.exists(tmp.resolve("bg.tar.partial")));
    lamina.run("import", tar.toString(), "exported").ok();
    assertEquals("new\n", lamina.run("run", "--rm", "exported", "cat", "/new").ok().out());
    assertEquals(1, lamina.run("run", "--rm", "exported", "test", "-e", "/seed/from-image").code());
    assertEquals(125, lamina.run("diff", "nope").code());
  }

  @Test
  void top_listsTheContainersProcessesOnly() throws Exception {
    sh("-d", "--name", "sleeper", "sleep 61 & sleep 62").ok();
    String top = "";
    for (int i = 0; i < 100 && !top.contains("sleep 62"); i++) {
      top = lamina.run("top", "sleeper").ok().out();
      Thread.sleep(20);
    }
    assertTrue(top.startsWith("UID "), top);
    assertTrue(top.contains("sleep 61") && top.contains("sleep 62"), top);
    assertEquals(3, top.lines().count(), "the header and its two processes, nothing of the host");
    assertTrue(lamina.run("top", "sleeper", "-o", "pid,comm").ok().out().contains("COMMAND"));
    lamina.run("rm", "-f", "sleeper").ok();
    assertEquals(125, lamina.run("top", "sleeper").code());
  }

  @Test
  void pause_freezesItsProcesses_unpause_stopAPausedOne() throws Exception {
    sh("-d", "--name", "bg", "while :; do echo tick; sleep 0.05; done").ok();
    awaitLog("bg", "tick");
    assertEquals("bg\n", lamina.run("pause", "bg").ok().out());
    assertTrue(lamina.run("ps").ok().out().contains("(Paused)"));
    assertEquals("true\n", lamina.run("inspect", "-f", "{{.State.Paused}}", "bg").ok().out());
    long frozen = lamina.run("logs", "bg").ok().out().lines().count();
    Thread.sleep(500);
    assertEquals(frozen, lamina.run("logs", "bg").ok().out().lines().count(), "nothing ran");
    assertEquals(125, lamina.run("pause", "bg").code(), "already paused");

    Path file = Files.writeString(tmp.resolve("copied"), "in\n");
    lamina.run("cp", file.toString(), "bg:/copied").ok(); // a paused one stays paused
    assertTrue(lamina.run("ps").ok().out().contains("(Paused)"));

    lamina.run("unpause", "bg").ok();
    Thread.sleep(500);
    assertTrue(lamina.run("logs", "bg").ok().out().lines().count() > frozen, "it runs again");
    assertEquals(125, lamina.run("unpause", "bg").code(), "not paused");

    lamina.run("pause", "bg").ok();
    assertEquals("bg\n", lamina.run("stop", "-t", "1", "bg").ok().out());
    assertEquals("exited 137 false\n",
        lamina.run("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}} {{.State.Paused}}", "bg")
            .ok().out());
  }

  @Test
  void statsNoStream_cpuMemoryAndProcesses() throws Exception {
    sh("-d", "--name", "bg", "-m", "64m", "while :; do :; done").ok();
    sh("-d", "--name", "sleeper", "sleep 60 & sleep 60 & wait").ok();
    String out = lamina.run("stats", "--no-stream").ok().out();
    List<String> lines = out.lines().toList();
    assertEquals(3, lines.size(), out);
    assertTrue(lines.get(0).matches("CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +PIDS"), out);
    String busy = lines.stream().filter(l -> l.contains(" bg ")).findFirst().orElseThrow();
    double cpu = Double.parseDouble(busy.replaceAll(".* bg +([0-9.]+)%.*", "$1"));
    assertTrue(cpu > 5, "a busy loop uses CPU: " + busy);
    assertTrue(busy.contains(" / 64MiB "), busy);
    String idle = lines.stream().filter(l -> l.contains(" sleeper ")).findFirst().orElseThrow();
    assertTrue(idle.endsWith(" 3"), "sh and its two sleeps: " + idle);
    assertEquals(2, lamina.run("stats", "--no-stream", "sleeper").ok().out().lines().count());
    lamina.run("rm", "-f", "bg", "sleeper").ok();
    assertEquals(125, lamina.run("stats", "--no-stream", "sleeper").code());
  }

  @Test
  void exec_exitCode_env_user_workdir() throws Exception {
    sh("-d", "--name", "sleeper", "-e", "BASE=b", "sleep 60").ok();
    awaitRunning("sleeper");
    Cli.Result r =
        lamina.run("exec", "-e", "EXTRA=e", "-u", "app", "-w", "/tmp", "sleeper", "sh", "-c",
            "echo $BASE$EXTRA; id -u; pwd; exit 9");
    assertEquals(9, r.code(), r.err());
    assertEquals(List.of("be", "1000", "/tmp"), r.out().lines().toList());
    assertEquals(127, lamina.run("exec", "sleeper", "/no/such").code());
    assertEquals(125, lamina.run("exec", "bg-missing", "true").code());
  }

  @Test
  void execNotFound_oneLineOfLaminasOwn_andAProcessesStderrStillShown() throws Exception {
    sh("-d", "--name", "sleeper", "sleep 60").ok();
    awaitRunning("sleeper");
    Cli.Result missing = lamina.run("exec", "sleeper", "nosuch");
    assertEquals(127, missing.code());
    assertEquals("", missing.out());
    assertEquals(1, missing.err().lines().count(), missing.err());
    assertTrue(missing.err().startsWith("lamina: ") && missing.err().contains("\"nosuch\""),
        missing.err());
    Cli.Result failing =
        lamina.run("exec", "sleeper", "sh", "-c", "echo out; echo err >&2; exit 3");
    assertEquals(3, failing.code());
    assertEquals("out\n", failing.out());
    assertEquals("err\n", failing.err());
  }

  @Test
  void containerPrune_inspectTypes_rmiRefusedWhileUsed() throws Exception {
    sh("--name", "done1", "true").ok();
    sh("--name", "done2", "exit 1");
    JsonNode c = inspect("done1");
    assertEquals("exited", c.get("State").get("Status").asText());
    assertEquals(125, lamina.run("inspect", "--type", "image", "done1").code());
    assertEquals("sh", inspect("busybox").get("Config").get("Cmd").get(0).asText());

    Cli.Result rmi = lamina.run("rmi", "busybox");
    assertEquals(125, rmi.code());
    String pruned = lamina.run("container", "prune", "-f").ok().out();
    assertTrue(pruned.contains("Total containers removed: 2"), pruned);
    assertEquals(List.of(), lamina.run("container", "ls", "-aq").ok().lines());
    lamina.run("rmi", "busybox").ok();
  }

  @Test
  void limits_pidsLimitStopsForkBomb_memoryOomReported() throws Exception {
    // The bomb runs in a child shell, which dies when fork fails; the outer shell then reads the
    // cgroup with builtins only, as it cannot fork any more either.
    Cli.Result pids =
        sh("--rm", "--pids-limit", "20",
            "sh -c 'for i in $(seq 40); do sleep 3 & done' 2>/dev/null;"
                + " read max < /sys/fs/cgroup/pids/pids.max;"
                + " read cur < /sys/fs/cgroup/pids/pids.current; echo $max $cur");
    String[] maxCur = pids.ok().out().strip().split(" ");
    assertEquals("20", maxCur[0], pids.out());
    int cur = Integer.parseInt(maxCur[1]);
    assertTrue(cur >= 10 && cur <= 20, "processes: " + cur);

    Cli.Result oom =
        sh("--name", "hog", "--memory", "16m",
            "head -c 200m /dev/zero | tail > /dev/null");
    assertNotEquals(0, oom.code());
    JsonNode state = inspect("hog").get("State");
    assertTrue(state.get("OOMKilled").asBoolean(), state.toString());
    assertEquals(16 << 20, inspect("hog").get("HostConfig").get("Memory").asLong());
  }

  private void awaitLog(String name, String text) throws Exception {
    for (int i = 0; i < 200; i++) {
      if (lamina.run("logs", name).out().contains(text)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(name + " never wrote " + text);
  }

  /** The console and attach sockets' private directories in the temporary directory. */
  private static List<Path> consoleDirs() throws Exception {
    try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("lamina-console-")
              || p.getFileName().toString().startsWith("lamina-attach-"))
          .toList();
    }
  }

  private void awaitRunning(String name) throws Exception {
    for (int i = 0; i < 200; i++) {
      Path state = tmp.resolve("store/runtime/runc");
      if (lamina.run("ps").out().contains(name) && Files.isDirectory(state)) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError(name + " never ran");
  }
}
