package dev.lamina.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.builder.git.GitServer;
import dev.lamina.builder.git.SshServer;
import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * ADD of a git repository over ssh, from the host's sshd on 127.0.0.1 letting in one key only:
 * git's ssh authenticates with the build's {@code default} agent ({@code --ssh default=SOCKET} or
 * {@code default=KEY}), the agent is no part of the cache key, and without one the build stops
 * before git runs, saying how to give one.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AddGitSshTest {
  @TempDir static Path tmp;
  private SshServer sshd;
  private Process agent;
  private Path agentSocket;
  private Path key;
  private Path otherKey;
  private String url;
  private String commit;
  private Path ctx;

  @BeforeAll
  void setUp() throws Exception {
    Requirements.tool("git");
    Requirements.tool("ssh");
    Requirements.tool("ssh-agent");
    Requirements.tool("ssh-add");
    Requirements.tool("ssh-keygen");
    key = keygen("id_authorized");
    otherKey = keygen("id_other");
    sshd = SshServer.start(tmp.resolve("sshd"), Path.of(key + ".pub"));

    try (GitServer server = GitServer.start(tmp.resolve("git"))) {
      GitServer.Repo repo = server.create("repo");
      repo.write("a", "over ssh\n").write("sub/s", "in sub\n");
      commit = repo.commit("first");
      url = sshd.url(repo.bare());
    }
    ctx = Files.createDirectories(tmp.resolve("ctx"));

    agentSocket = tmp.resolve("agent.sock");
    agent = new ProcessBuilder("ssh-agent", "-D", "-a", agentSocket.toString())
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    for (int i = 0; i < 500 && !Files.exists(agentSocket); i++) {
      Thread.sleep(10);
    }
    ProcessBuilder add = new ProcessBuilder("ssh-add", "-q", key.toString());
    add.environment().put("SSH_AUTH_SOCK", agentSocket.toString());
    assertEquals(0, add.redirectErrorStream(true).start().waitFor());
  }

  @AfterAll
  void stop() throws Exception {
    if (agent != null) {
      agent.destroy();
      agent.waitFor(5, TimeUnit.SECONDS);
    }
    if (sshd != null) {
      sshd.close();
    }
  }

  private static Path keygen(String name) throws IOException, InterruptedException {
    Path k = tmp.resolve(name);
    Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
        k.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return k;
  }

  /** Builds {@code lines} into {@code store}, the default agent made of {@code agent}, if any. */
  private BuildResult build(Store store, List<Path> agent, String... lines) throws Exception {
    BuildOptions.Builder options = BuildOptions.builder(ctx)
        .recipeText(String.join("\n", lines) + "\n").tag("test");
    if (!agent.isEmpty()) {
      options.ssh("default", agent);
    }
    return Builder.build(store, options.build(), Progress.quiet());
  }

  private static Path layer(Store store, int index) throws IOException {
    ImageDetails d = store.images().inspect("test");
    return ExtractedLayers.of(store)
        .ensure(d.manifest().layers().get(index), d.config().diffIds().get(index));
  }

  private String failure(List<Path> agent, String... lines) throws IOException {
    Store store = Store.open(Files.createTempDirectory(tmp, "store"));
    BuildException e = assertThrows(BuildException.class, () -> build(store, agent, lines));
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void agentSocket_thenKeyFile_sameCacheKey() throws Exception {
    Store store = Store.open(tmp.resolve("store-socket"));
    String[] recipe = {"FROM scratch", "ADD " + url + "#main /src"};
    BuildResult first = build(store, List.of(agentSocket), recipe);
    assertEquals(0, first.cachedSteps());
    assertEquals("over ssh\n", Files.readString(layer(store, 0).resolve("src/a")));
    assertEquals("in sub\n", Files.readString(layer(store, 0).resolve("src/sub/s")));

    BuildResult again = build(store, List.of(key), recipe);
    assertEquals(1, again.cachedSteps(), "which agent it was is no part of the key");
    assertEquals(first.config().diffIds(), again.config().diffIds());
  }

  @Test
  void keyFile_anAgentOfTheBuildsOwn() throws Exception {
    Store store = Store.open(tmp.resolve("store-key"));
    BuildResult built = build(store, List.of(key), "FROM scratch", "ADD " + url + "#main:sub /s");
    assertEquals(0, built.cachedSteps());
    assertEquals("in sub\n", Files.readString(layer(store, 0).resolve("s/s")));
  }

  @Test
  void noAgent_stopsBeforeGitRuns_sayingHowToGiveOne() throws Exception {
    String source = url + "#main";
    String e = failure(List.of(), "FROM scratch", "ADD " + source + " /src");
    assertEquals("Dockerfile:2: ADD: git source " + source + ": an ssh remote needs the build's"
        + " default SSH agent, and none was given (--ssh default, or --ssh default=SOCKET|KEY)",
        e);
  }

  @Test
  void aFullCommitId_hitsTheCacheWithoutAnAgent_butMissesNeedOne() throws Exception {
    Store store = Store.open(tmp.resolve("store-commit"));
    String[] recipe = {"FROM scratch", "ADD " + url + "#" + commit + " /src"};
    build(store, List.of(agentSocket), recipe);
    BuildResult hit = build(store, List.of(), recipe);
    assertEquals(1, hit.cachedSteps(), "a commit id needs no remote to be keyed");
    String miss = failure(List.of(), recipe);
    assertTrue(miss.endsWith("none was given (--ssh default, or --ssh default=SOCKET|KEY)"),
        miss);
  }

  @Test
  void anAgentWithoutTheKey_saysSshRefusedIt() throws Exception {
    String e = failure(List.of(otherKey), "FROM scratch", "ADD " + url + "#main /src");
    assertTrue(e.contains(": Permission denied (publickey) (the server accepts none"), e);
    assertTrue(e.endsWith("(the server accepts none of the keys of the --ssh default agent)"), e);
  }
}
