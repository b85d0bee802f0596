package dev.lamina.layerfs.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upper as fuse-overlayfs leaves it (an opaque directory marked by an empty {@code
 * .wh..wh..opq} and a {@code .wh..opq} whiteout in it, deletions as 0:0 devices) becomes the
 * layer kernel overlayfs's upper would: one OCI opaque marker, whiteouts.
 */
class FuseUpperDiffTest {
  @TempDir Path tmp;

  @Test
  void fuseOverlayfsUpper_opaqueMarkersAndWhiteouts() throws Exception {
    Requirements.root(); // mknod
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    Path dir = Files.createDirectories(upper.resolve("d"));
    Files.createFile(dir.resolve(".wh..wh..opq"));
    Posix.mknod(dir.resolve(".wh..opq"), FileStat.S_IFCHR | 0700, 0, 0);
    Files.writeString(dir.resolve("n"), "new");
    Posix.mknod(upper.resolve("gone"), FileStat.S_IFCHR, 0, 0);

    List<String> paths =
        UpperDiff.fuseOverlayfs().entries(upper).stream().map(LayerEntry::path).toList();
    assertEquals(List.of(".wh.gone", "d", "d/.wh..wh..opq", "d/n"),
        paths.stream().sorted().toList());
  }
}
