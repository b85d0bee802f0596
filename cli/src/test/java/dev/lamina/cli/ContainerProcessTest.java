package dev.lamina.cli;

import dev.lamina.layerfs.testing.Requirements;
import dev.lamina.runner.testing.HostNetwork;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.overlay.MountTable;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flows that need {@code lamina} as a real process of its own: a terminal ({@code script}
 * provides one), Ctrl-C delivered to the whole foreground process group, a CLI killed with
 * SIGKILL.
 */
class ContainerProcessTest {
  @TempDir Path tmp;
  private Cli lamina;
  private Path store;

  @BeforeEach
  void setUp() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Requirements.tool("conmon");
    Requirements.tool("script");
    store = tmp.resolve("store");
    lamina = new Cli(store);
    Path rootfs = Cli.busyboxRootfs(tmp.resolve("rootfs"));
    lamina.run("import", rootfs.toString(), "busybox").ok();
  }

  /** Whatever a failed test left running goes, so no container outlives its store. */
  @AfterEach
  void removeContainers() throws Exception {
    if (lamina == null) {
      return;
    }
    for (String id : lamina.run("ps", "-aq").out().lines().toList()) {
      lamina.run("rm", "-f", id);
    }
    dev.lamina.layerfs.overlay.OverlayMount.unmountAllUnder(tmp);
  }

  private List<String> lamina(String... args) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> cmd =
        new ArrayList<>(
            List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    cmd.add("--root");
    cmd.add(store.toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static String shellQuote(List<String> words) {
    StringBuilder sb = new StringBuilder();
    for (String w : words) {
      sb.append('\'').append(w.replace("'", "'\\''")).append("' ");
    }
    return sb.toString();
  }

  /**
   * A foreground {@code run -t}: the container sees a terminal of this terminal's size, all its
   * output (the first line included) shows, its exit code is run's, and it has a log.
   */
  @Test
  void runTty_containerSeesATerminal_exitCodePassedThrough_logKept() throws Exception {
    String inner =
        shellQuote(lamina("run", "-t", "--name", "fgt", "busybox", "sh", "-c",
            "test -t 0 && tty; stty size; exit 5"));
    Process p =
        new ProcessBuilder("script", "-qec", "stty rows 33 cols 77; " + inner, "/dev/null")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(5, p.exitValue(), out);
    // Through script's own terminal each line end gains one more CR.
    assertTrue(out.contains("/dev/pts/0\r\r\n33 77"), out);
    assertEquals("/dev/pts/0\r\n33 77\r\n", lamina.run("logs", "fgt").ok().out());
    lamina.run("rm", "fgt").ok();
  }

  @Test
  void ctrlC_toTheForegroundGroup_reachesTheContainerOnce() throws Exception {
    List<String> cmd = new ArrayList<>(List.of("setsid"));
    cmd.addAll(
        lamina("run", "--rm", "busybox", "sh", "-c",
            "n=0; trap 'n=$((n+1))' INT; echo ready;"
                + " while [ $n -lt 1 ]; do sleep 0.1; done; sleep 1; exit $((40 + n))"));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    assertEquals("ready", r.readLine());
    // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
    new ProcessBuilder("kill", "-INT", "--", "-" + p.pid()).start().waitFor();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(41, p.exitValue(), "the container counted its SIGINTs");
  }

  @Test
  void killedForegroundCli_containerGetsSigterm_recordReaped() throws Exception {
    Set<String> links = HostNetwork.links();
    List<String> rules = HostNetwork.rules();
    Process p =
        new ProcessBuilder(
                lamina("run", "--name", "orphan", "busybox", "sh", "-c",
                    "trap 'exit 0' TERM; echo ready; while :; do sleep 0.1; done"))
            .redirectErrorStream(true)
            .start();
    BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    assertEquals("ready", r.readLine());
    p.destroyForcibly();
    p.waitFor();
    String ps = "";
    for (int i = 0; i < 100; i++) {
      ps = lamina.run("ps", "-a").ok().out();
      if (ps.contains("Exited")) {
        break;
      }
      Thread.sleep(100);
    }
    // Its monitor passed the SIGTERM on: the container's trap ended it.
    assertTrue(ps.contains("Exited (0)"), ps);
    assertEquals(List.of(), MountTable.mountPointsUnder(store));
    // It was on the default network: the next command took it off (veth, rules, namespace).
    assertEquals(links, HostNetwork.links());
    assertEquals(rules, HostNetwork.rules());
    assertEquals(List.of(),
        MountTable.mountPointsUnder(ContainerSupport.open(store).networks().runtimeDirectory()));
    lamina.run("rm", "orphan").ok();
    assertTrue(Files.isDirectory(store.resolve("containers")));
  }

  private static List<String> attachArgs(String... args) {
    List<String> all = new ArrayList<>(List.of("attach"));
    all.addAll(List.of(args));
    return all;
  }

  /** {@code lamina attach} (or another command) on a terminal of {@code script}'s, typed at. */
  private final class Attachment implements AutoCloseable {
    final Process process;
    final StringBuffer seen = new StringBuffer();

    Attachment(String terminalSetup, String... args) throws Exception {
      this(terminalSetup, attachArgs(args));
    }

    Attachment(String terminalSetup, List<String> all) throws Exception {
      process =
          new ProcessBuilder("script", "-qfec", terminalSetup + shellQuote(lamina(all.toArray(String[]::new))), "/dev/null")
              .redirectErrorStream(true)
              .start();
      Thread reader =
          new Thread(
              () -> {
                byte[] buf = new byte[4096];
                try {
                  for (int n; (n = process.getInputStream().read(buf)) > 0; ) {
                    seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                  }
                } catch (java.io.IOException ignored) {
                  // The process ended.
                }
              });
      reader.setDaemon(true);
      reader.start();
    }

    void type(String keys) throws Exception {
      process.getOutputStream().write(keys.getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().flush();
    }

    /** Waits until the terminal has shown {@code text}. */
    void await(String text) throws Exception {
      for (int i = 0; i < 300 && !seen.toString().contains(text); i++) {
        Thread.sleep(50);
      }
      assertTrue(seen.toString().contains(text), "never saw " + text + " in: " + seen);
    }

    int exitCode() throws Exception {
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), seen.toString());
      return process.exitValue();
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }

  @Test
  void attach_typesIntoADetachedTerminal_detachKeysLeaveItRunning_exitCodePassedThrough()
      throws Exception {
    lamina.run("run", "-dit", "--name", "shell", "busybox", "sh").ok();
    try (Attachment a = new Attachment("", "shell")) {
      // The shell's prompt shows once attached: the terminal is raw from then on.
      a.type("echo one-$((1+1))\n");
      a.await("one-2");
      a.type("\u0010\u0011"); // Ctrl-P Ctrl-Q
      assertEquals(1, a.exitCode(), a.seen.toString());
      assertTrue(a.seen.toString().contains("read escape sequence"), a.seen.toString());
    }
    assertTrue(lamina.run("ps").ok().out().contains("shell"));

    // A second client, with its window size passed on, and a custom detach sequence not typed.
    try (Attachment b =
        new Attachment("stty rows 33 cols 99; ", "--detach-keys", "ctrl-a,x", "shell")) {
      b.type("stty size; exit 3\n");
      assertEquals(3, b.exitCode(), b.seen.toString());
      assertTrue(b.seen.toString().contains("33 99"), b.seen.toString());
    }
    assertTrue(lamina.run("ps", "-a").ok().out().contains("Exited (3)"));
    assertTrue(lamina.run("logs", "shell").ok().out().contains("one-2"));

    // Without -i the output is shared, the keys are not; not running, no terminal: refused.
    lamina.run("run", "-dt", "--name", "ticker", "busybox", "sh", "-c",
        "while :; do echo tick; sleep 0.2; done").ok();
    try (Attachment c = new Attachment("", "ticker")) {
      c.await("tick");
      c.type("exit 9\n");
      Thread.sleep(500);
    }
    assertTrue(lamina.run("ps").ok().out().contains("ticker"), "input was ignored");
    lamina.run("rm", "-f", "ticker").ok();

    // create -it, then start -ai: this terminal is the container's from its first prompt on.
    lamina.run("create", "-it", "--name", "later", "busybox", "sh").ok();
    try (Attachment d = new Attachment("", List.of("start", "-ai", "later"))) {
      d.await("# ");
      d.type("echo in-$((2+3)); exit 6\n");
      assertEquals(6, d.exitCode(), d.seen.toString());
      assertTrue(d.seen.toString().contains("in-5"), d.seen.toString());
    }
    // Without a terminal: the output from now on, and the exit code.
    lamina.run("run", "-d", "--name", "plain", "busybox", "sh", "-c",
        "echo early; sleep 2; echo late; exit 3").ok();
    for (int i = 0; i < 100 && !lamina.run("logs", "plain").out().contains("early"); i++) {
      Thread.sleep(20);
    }
    Cli.Result plain = lamina.run("attach", "plain");
    assertEquals(3, plain.code(), plain.err());
    assertEquals("late\n", plain.out());
    lamina.run("rm", "plain").ok();
    assertEquals(125, lamina.run("attach", "--no-stdin", "shell").code());
    assertEquals(125, lamina.run("attach", "--detach-keys", "ctrl-1", "shell").code());
  }

  /**
   * HARDENING 4: a build killed with SIGKILL during a RUN takes the step's container with it (a
   * shell as PID 1 ignores the SIGTERM runc passes on), and the next build clears what is left:
   * no runtime container, no mount, a clean store.
   */
  @Test
  void killedBuild_itsRunStepDiesToo_nextBuildCleansUp() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("Containerfile"),
        "FROM busybox\nRUN echo $((40+2)); sleep 60\n");
    Process p =
        new ProcessBuilder(lamina("build", "--no-cache", ctx.toString()))
            .redirectErrorStream(true)
            .start();
    BufferedReader r =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = r.readLine()) != null && !line.endsWith(" 42"); ) {
      // Until the step's command runs.
    }
    p.destroyForcibly();
    p.waitFor();
    Path runcRoot = store.resolve("runtime/runc");
    String left = "";
    for (int i = 0; i < 100; i++) {
      Process list = new ProcessBuilder("runc", "--root", runcRoot.toString(), "list", "-q")
          .redirectErrorStream(true).start();
      left = new String(list.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      list.waitFor();
      if (left.isEmpty()) {
        break;
      }
      Thread.sleep(100);
    }
    assertEquals("", left, "the killed build's RUN container is gone");

    Files.writeString(ctx.resolve("Containerfile"), "FROM busybox\nRUN true\n");
    lamina.run("build", "-q", ctx.toString()).ok();
    assertEquals(List.of(), MountTable.mountPointsUnder(store));
    lamina.run("system", "check").ok();
  }
}
