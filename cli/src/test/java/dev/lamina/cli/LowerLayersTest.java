package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HARDENING 5: a container's writes never reach the image's layers or blobs. */
class LowerLayersTest {
  @TempDir Path tmp;

  @AfterEach
  void tearDown() throws IOException {
    OverlayMount.unmountAllUnder(tmp);
  }

  @Test
  void containerWrites_leaveLayersAndBlobsUnchanged() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Requirements.tool("conmon");
    Path rootfs = Cli.busyboxRootfs(tmp.resolve("rootfs"));
    Cli lamina = new Cli(tmp.resolve("store"));
    lamina.run("import", rootfs.toString(), "busybox").ok();
    byte[] passwd = Files.readAllBytes(rootfs.resolve("etc/passwd"));

    lamina.run("run", "--name", "vandal", "busybox", "sh", "-c",
        "echo evil:x:0:0::/:/bin/sh >> /etc/passwd; rm /bin/ls; rm -rf /home; touch /new").ok();
    assertEquals(
        1,
        lamina.run("run", "--rm", "busybox", "test", "-e", "/new").code(),
        "another container does not see the first one's writes");

    Path layers = tmp.resolve("store/layers");
    List<Path> extracted;
    try (Stream<Path> s = Files.list(layers)) {
      extracted = s.filter(p -> !p.getFileName().toString().startsWith(".")).toList();
    }
    assertEquals(1, extracted.size());
    Path layer = extracted.get(0);
    assertArrayEquals(passwd, Files.readAllBytes(layer.resolve("etc/passwd")));
    assertTrue(Files.exists(layer.resolve("bin/ls"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertTrue(Files.isDirectory(layer.resolve("home/app")));
    assertTrue(lamina.run("system", "check").ok().out().contains(": ok"));

    lamina.run("rm", "vandal").ok();
    assertEquals(0, lamina.run("system", "check").code());
    assertEquals(List.of(), dev.lamina.layerfs.overlay.MountTable.mountPointsUnder(tmp));
  }
}
