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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store on a filesystem overlayfs refuses as upper (overlayfs itself, as inside another
 * container): containers still run, on a flattened copy of their layers, and Lamina says so; an
 * image whose layers cannot even be extracted there (they hold deletions) runs from its blobs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FlattenedFallbackTest {
  @TempDir Path tmp;

  @AfterEach
  void tearDown() throws IOException {
    OverlayMount.unmountAllUnder(tmp);
  }

  @Test
  @Order(1) // it reads the note said once per process
  void run_onAStoreInsideOverlayfs_usesAFlattenedCopy() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Requirements.tool("conmon");
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

  @Test
  @Order(2)
  void imageWithDeletions_onAStoreInsideOverlayfs_runsFromItsBlobs() throws Exception {
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
    Path context = Files.createDirectories(tmp.resolve("context"));
    Files.writeString(
        context.resolve("Containerfile"),
        "FROM busybox\nRUN rm /etc/group && mkdir -p /d && echo kept > /d/f\n");
    // The RUN's layer holds a whiteout, which overlayfs refuses as a file of an extracted layer.
    lamina.run("build", "-q", "-t", "deleted", context.toString()).ok();

    Cli.Result r =
        lamina.run("run", "--name", "plain", "deleted", "sh", "-c", "test ! -e /etc/group && cat /d/f");
    assertEquals(0, r.code(), r.toString());
    assertEquals("kept\n", r.out());
    // Said once per process (the other test may have seen it): the marker shows the copy.
    try (Stream<Path> dirs = Files.list(outer.resolve("store/containers"))) {
      assertTrue(dirs.anyMatch(d -> Files.exists(d.resolve("flattened"))));
    }
    lamina.run("rm", "plain").ok();
    assertEquals(List.of(outer), MountTable.mountPointsUnder(tmp), "only the test's own mount");
    assertEquals(0, lamina.run("system", "check").code());
  }
}
