package dev.lamina.builder.git;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.Requirements;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The environment and limits git runs under. */
class GitTest {
  @TempDir Path tmp;

  @BeforeEach
  void needsGit() {
    Requirements.tool("git");
  }

  @Test
  void noConfigurationButItsOwn() throws Exception {
    String config = new Git(tmp, Optional.empty()).local(tmp, "config", "--list");
    assertEquals("core.logallrefupdates=false", config.strip(),
        "neither the system's nor the user's configuration");
  }

  @Test
  void localRepositoriesAreNoTransport() throws Exception {
    GitServer.git(tmp, "init", "-q", "--bare", tmp.resolve("r.git").toString());
    Git git = new Git(tmp, Optional.empty());
    for (String remote : List.of(tmp.resolve("r.git").toString(), "file://" + tmp + "/r.git")) {
      Git.Failure f = assertThrows(Git.Failure.class,
          () -> git.remote(tmp, List.of("ls-remote", "--", remote)));
      assertEquals("transport 'file' not allowed", f.reason());
    }
  }

  @Test
  void aSilentServer_timesOutAndLeavesNoProcess() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Git git = new Git(tmp, Optional.empty(), Duration.ofSeconds(2), Duration.ofSeconds(2));
      long start = System.nanoTime();
      Git.Failure f = assertThrows(Git.Failure.class, () -> git.remote(tmp,
          List.of("ls-remote", "--", "http://127.0.0.1:" + silent.getLocalPort() + "/x.git")));
      assertEquals("git ls-remote timed out after 2s", f.reason());
      assertTrue(System.nanoTime() - start < Duration.ofSeconds(20).toNanos());
      assertEquals(0, ProcessHandle.current().descendants()
          .filter(p -> p.info().command().orElse("").contains("git")).count());
    }
  }
}
