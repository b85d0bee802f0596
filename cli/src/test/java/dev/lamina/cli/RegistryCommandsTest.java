package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.registry.RegistryServer;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** push, pull and run through a real registry on 127.0.0.1, from the command line. */
class RegistryCommandsTest {
  @TempDir Path tmp;

  @AfterEach
  void tearDown() throws IOException {
    OverlayMount.unmountAllUnder(tmp);
  }

  @Test
  void push_pullIntoAnEmptyStore_run() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Requirements.tool("conmon");
    Cli builder = new Cli(tmp.resolve("a"));
    builder
        .run("import", "--change", "CMD [\"sh\", \"-c\", \"echo pulled and running\"]",
            Cli.busyboxRootfs(tmp.resolve("rootfs")).toString(), "busybox")
        .ok();
    try (RegistryServer registry = RegistryServer.start(tmp.resolve("registry"), "alice", "pw")) {
      String ref = "docker://" + registry.address() + "/demo/busybox:1";
      Path auth = tmp.resolve("auth.json");
      Cli.Result denied = builder.run("push", "--authfile", auth.toString(), "busybox", ref);
      assertEquals(ExitCodes.ERROR, denied.code(), denied.toString());
      assertEquals(1, denied.err().strip().lines().count(), denied.err());

      builder.run("login", "--authfile", auth.toString(), "-u", "alice", "-p", "pw",
          registry.address()).ok();
      Path digestFile = tmp.resolve("digest");
      builder.run("push", "--authfile", auth.toString(), "--compression-format", "gzip",
          "--digestfile", digestFile.toString(), "busybox", ref).ok();
      String digest = Files.readString(digestFile).strip();
      assertTrue(digest.startsWith("sha256:"), digest);

      Cli empty = new Cli(tmp.resolve("b"));
      empty.run("pull", "-q", "--authfile", auth.toString(), ref).ok();
      Cli.Result run = empty.run("run", "--rm", registry.address() + "/demo/busybox:1");
      assertEquals("pulled and running\n", run.ok().out());
      assertEquals(0, empty.run("system", "check").code());
    }
  }

  /**
   * HARDENING 4: a pull killed with SIGKILL in the middle of a layer leaves no partial blob; the
   * store opens clean, and a second pull completes. The registry is reached through a relay that
   * answers at 16 MB/s, so the 48 MB layer is still coming when the kill lands.
   */
  @Test
  void pullKilledMidBlob_leavesNoPartialBlob_andASecondPullCompletes() throws Exception {
    Requirements.root();
    Cli a = new Cli(tmp.resolve("a"));
    Path rootfs = Files.createDirectories(tmp.resolve("big"));
    byte[] data = new byte[48 << 20];
    new Random(7).nextBytes(data);
    Files.write(rootfs.resolve("random.bin"), data);
    a.run("import", rootfs.toString(), "big").ok();
    try (RegistryServer registry = RegistryServer.start(tmp.resolve("registry"));
        ThrottledRelay relay = ThrottledRelay.start(registry.address(), 16L << 20)) {
      a.run("push", "--compression-format", "none", "big",
          "docker://" + registry.address() + "/demo/big:1").ok();
      String ref = "docker://" + relay.address() + "/demo/big:1";
      Path store = tmp.resolve("b");
      String java = ProcessHandle.current().info().command().orElse("java");
      Process pull =
          new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                  Main.class.getName(), "--root", store.toString(), "pull", "-q", ref)
              .redirectErrorStream(true)
              .start();
      boolean caught = false;
      for (int i = 0; i < 3000 && !caught && pull.isAlive(); i++) {
        caught = partialBlobOver(store.resolve("tmp"), 4L << 20);
        Thread.sleep(10);
      }
      pull.destroyForcibly();
      assertTrue(pull.waitFor(30, TimeUnit.SECONDS));
      assertTrue(caught, "the pull was killed while writing a blob");
      assertEquals(137, pull.exitValue());

      Cli b = new Cli(store);
      assertEquals(0, b.run("system", "check").code(), "the store opens clean");
      try (var left = Files.list(store.resolve("tmp"))) {
        assertEquals(List.of(), left.toList(), "the killed pull's temp file is gone");
      }
      assertTrue(!b.run("images").ok().out().contains("big"));
      b.run("pull", "-q", ref).ok();
      assertEquals(0, b.run("system", "check").code());
      assertTrue(b.run("images").ok().out().contains("big"));
    }
  }

  private static boolean partialBlobOver(Path tmpDir, long size) throws IOException {
    if (!Files.isDirectory(tmpDir)) {
      return false;
    }
    try (var files = Files.list(tmpDir)) {
      for (Path f : files.toList()) {
        try {
          if (Files.size(f) > size) {
            return true;
          }
        } catch (IOException gone) {
          // Renamed into the store meanwhile.
        }
      }
    }
    return false;
  }
}
