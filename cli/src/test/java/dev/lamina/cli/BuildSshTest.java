package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code RUN --mount=type=ssh} with {@code --ssh}: a real ssh-agent on the host, and the host's
 * own {@code ssh-add} (with its libraries) in the image asking it, through the relay, for its keys.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuildSshTest {
  @TempDir static Path tmp;
  private Cli cli;
  private Process agent;
  private Path agentSocket;
  private String fingerprint;
  private Path otherKey;

  @BeforeAll
  void setUp() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Path sshAdd = Requirements.tool("ssh-add");
    Requirements.tool("ssh-agent");
    Requirements.tool("ssh-keygen");
    cli = new Cli(tmp.resolve("root"));
    Path rootfs = Cli.busyboxRootfs(tmp.resolve("rootfs"));
    copyWithLibraries(sshAdd, rootfs);
    cli.run("import", "--change", "CMD [\"sh\"]", rootfs.toString(), "sshclient").ok();

    Path key = tmp.resolve("id_agent");
    exec("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "lamina-agent-key", "-f",
        key.toString());
    fingerprint = exec("ssh-keygen", "-l", "-f", key.toString()).split(" ")[1];
    otherKey = tmp.resolve("id_other");
    exec("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "lamina-other-key", "-f",
        otherKey.toString());

    agentSocket = tmp.resolve("agent.sock");
    agent = new ProcessBuilder("ssh-agent", "-D", "-a", agentSocket.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    for (int i = 0; i < 200 && !Files.exists(agentSocket); i++) {
      Thread.sleep(10);
    }
    ProcessBuilder add = new ProcessBuilder("ssh-add", "-q", key.toString());
    add.environment().put("SSH_AUTH_SOCK", agentSocket.toString());
    assertEquals(0, add.redirectErrorStream(true).start().waitFor());
  }

  @AfterAll
  void stopAgent() {
    if (agent != null) {
      agent.destroy();
    }
  }

  /** The program and every library {@code ldd} names for it, at the same paths in {@code root}. */
  private static void copyWithLibraries(Path program, Path root) throws Exception {
    List<String> files = new java.util.ArrayList<>(List.of(program.toRealPath().toString()));
    for (String line : exec("ldd", program.toString()).lines().toList()) {
      String l = line.strip();
      int arrow = l.indexOf("=> /");
      String path = arrow >= 0 ? l.substring(arrow + 3) : l.startsWith("/") ? l : null;
      if (path != null) {
        files.add(path.substring(0, path.indexOf(' ')));
      }
    }
    files.add(program.toString());
    for (String f : files) {
      Path to = root.resolve(f.substring(1));
      Files.createDirectories(to.getParent());
      Files.copy(Path.of(f), to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static String exec(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
    return out;
  }

  private Path context(String recipe) throws IOException {
    Path ctx = Files.createTempDirectory(tmp, "ctx");
    Files.writeString(ctx.resolve("Containerfile"), recipe);
    return ctx;
  }

  /** The relays' and started agents' private directories in the temporary directory. */
  private static List<Path> sshDirs() throws IOException {
    try (var s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("lamina-ssh-")).toList();
    }
  }

  @Test
  void agentSocketAndKeyFiles_reachTheStep_leaveNoTraceInTheImage() throws Exception {
    List<Path> before = sshDirs();
    Path ctx =
        context(
            "FROM sshclient\n"
                + "RUN --mount=type=ssh ssh-add -l > /agent-keys && echo $SSH_AUTH_SOCK > /sock\n"
                + "RUN --mount=type=ssh,id=files,target=/tmp/agent,uid=1000,mode=0660"
                + " stat -c '%u %a %F' /tmp/agent > /relay"
                + " && SSH_AUTH_SOCK=/tmp/agent ssh-add -l > /file-keys\n");
    cli.run("build", "-q", "-t", "ssh-used", "--ssh", "default=" + agentSocket, "--ssh",
            "files=" + otherKey, ctx.toString())
        .ok();
    String out =
        cli.run("run", "--rm", "ssh-used", "sh", "-c",
                "cat /agent-keys /sock /relay /file-keys;"
                    + " test -e /run/buildkit || test -e /tmp/agent || echo no-mount-points")
            .ok()
            .out();
    assertTrue(out.contains(fingerprint + " lamina-agent-key (ED25519)"), out);
    assertTrue(out.contains("/run/buildkit/ssh_agent.0\n"), out);
    assertTrue(out.contains("1000 660 socket\n"), out);
    assertTrue(out.contains("lamina-other-key (ED25519)"), out);
    assertTrue(out.endsWith("no-mount-points\n"), out);
    assertEquals(before, sshDirs(), "relays and the build's agent are gone");

    // The agent is not in the cache key: another agent socket still hits.
    String again =
        cli.run("build", "-t", "ssh-used", "--ssh", "default=" + agentSocket, "--ssh",
                "files=" + otherKey, ctx.toString())
            .ok()
            .err();
    assertEquals(2, again.lines().filter(l -> l.contains("CACHED")).count(), again);
  }

  @Test
  void missingAgents_optionalSkipped_requiredRefused_passphraseKeysRefused() throws Exception {
    Path optional =
        context("FROM sshclient\nRUN --mount=type=ssh test ! -e /run/buildkit/ssh_agent.0"
            + " && test -z \"$SSH_AUTH_SOCK\"\n");
    cli.run("build", "-q", optional.toString()).ok();

    Path required = context("FROM sshclient\nRUN --mount=type=ssh,id=deploy,required true\n");
    Cli.Result r = cli.run("build", "-q", required.toString());
    assertNotEquals(0, r.code());
    assertTrue(r.err().contains("ssh deploy: no agent given (use --ssh deploy"), r.err());

    Path locked = tmp.resolve("id_locked");
    exec("ssh-keygen", "-q", "-t", "ed25519", "-N", "a passphrase", "-f", locked.toString());
    Cli.Result l = cli.run("build", "-q", "--ssh", "default=" + locked, optional.toString());
    assertNotEquals(0, l.code());
    assertTrue(l.err().contains("cannot add key " + locked), l.err());

    Cli.Result missing =
        cli.run("build", "-q", "--ssh", "default=" + tmp.resolve("nope"), optional.toString());
    assertTrue(missing.err().contains("does not exist"), missing.err());
  }
}
