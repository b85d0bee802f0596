package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.registry.RegistryServer;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
}
