package dev.lamina.cli;

import dev.lamina.layerfs.testing.Requirements;
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
import java.util.concurrent.TimeUnit;
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
    Requirements.tool("script");
    store = tmp.resolve("store");
    lamina = new Cli(store);
    Path rootfs = Cli.busyboxRootfs(tmp.resolve("rootfs"));
    lamina.run("import", rootfs.toString(), "busybox").ok();
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

  @Test
  void runTty_containerSeesATerminal_exitCodePassedThrough() throws Exception {
    String inner =
        shellQuote(lamina("run", "-t", "--rm", "busybox", "sh", "-c", "test -t 0 && tty; exit 5"));
    Process p =
        new ProcessBuilder("script", "-qec", inner, "/dev/null").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(5, p.exitValue(), out);
    assertTrue(out.contains("/dev/pts/0"), out);
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
    assertTrue(ps.contains("Exited (unknown)"), ps);
    assertEquals(List.of(), MountTable.mountPointsUnder(store));
    lamina.run("rm", "orphan").ok();
    assertTrue(Files.isDirectory(store.resolve("containers")));
  }
}
