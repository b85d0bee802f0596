package dev.lamina.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store on a filesystem overlayfs refuses as upper (overlayfs itself, as inside another
 * container): containers still run, on a flattened copy of their layers, and Lamina says so.
 */
class FlattenedFallbackTest {
  @TempDir Path tmp;

  @AfterEach
  void tearDown() throws IOException {
    OverlayMount.unmountAllUnder(tmp);
  }

  @Test
  void run_onAStoreInsideOverlayfs_usesAFlattenedCopy() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Path outer = Files.createDirectories(tmp.resolve("outer"));
    OverlayMount.of(
            List.of(Files.createDirectories(tmp.resolve("l"))),
            Files.createDirectories(tmp.resolve("u")),
            Files.createDirectories(tmp.resolve("w")))
        .mountOn(outer);
    Cli lamina = new Cli(outer.resolve("store"));
    lamina.run("import", Cli.busyboxRootfs(tmp.resolve("rootfs")).toString(), "busybox").ok();

    Cli.Result first =
        lamina.run("run", "--name", "flat", "busybox", "sh", "-c", "echo hi > /f; cat /etc/passwd");
    assertEquals(0, first.code(), first.toString());
    assertTrue(first.out().startsWith("root:x:0:0"), first.out());
    assertTrue(first.err().contains("using a flattened copy"), first.err());

    Cli.Result commit = lamina.run("commit", "flat", "nope");
    assertEquals(ExitCodes.ERROR, commit.code());
    assertTrue(commit.err().contains("flattened copy"), commit.err());

    assertEquals(1, lamina.run("run", "--rm", "busybox", "test", "-e", "/f").code());
    lamina.run("rm", "flat").ok();
    assertEquals(List.of(outer), MountTable.mountPointsUnder(tmp), "only the test's own mount");
    assertEquals(0, lamina.run("system", "check").code());
  }
}
