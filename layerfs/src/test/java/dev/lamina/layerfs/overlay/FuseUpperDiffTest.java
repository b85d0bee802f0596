package dev.lamina.layerfs.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.LayerWriter;
import dev.lamina.layerfs.testing.Requirements;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An upper as fuse-overlayfs leaves it (an opaque directory marked by an empty {@code
 * .wh..wh..opq} and a {@code .wh..opq} whiteout in it, deletions as 0:0 devices, or as {@code
 * .wh.NAME} files where it may not make devices) becomes the layer kernel overlayfs's upper
 * would: one OCI opaque marker, whiteouts.
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

  /**
   * fuse-overlayfs in a user namespace on a kernel before 5.8 cannot make 0:0 devices: its
   * deletions are empty {@code .wh.NAME} files, its opaque directories hold {@code .wh..wh..opq}.
   * The layer is byte for byte the one kernel overlayfs's forms (devices, the opaque xattr) give.
   */
  @Test
  void fuseOverlayfsUpper_whiteoutFiles_giveTheLayerDevicesAndXattrsGive() throws Exception {
    Requirements.root(); // mknod, trusted.* xattrs
    Path devices = Files.createDirectories(tmp.resolve("devices"));
    Files.createDirectories(devices.resolve("sub/kept"));
    Files.writeString(devices.resolve("sub/n"), "new");
    Posix.mknod(devices.resolve("sub/foo"), FileStat.S_IFCHR, 0, 0);
    Posix.mknod(devices.resolve("sub/kept/old"), FileStat.S_IFCHR, 0, 0);
    Posix.mknod(devices.resolve("gone"), FileStat.S_IFCHR, 0, 0);
    Posix.lsetxattr(devices.resolve("sub"), "trusted.overlay.opaque",
        "y".getBytes(StandardCharsets.UTF_8));

    Path files = Files.createDirectories(tmp.resolve("files"));
    Files.createDirectories(files.resolve("sub/kept"));
    Files.writeString(files.resolve("sub/n"), "new");
    Files.createFile(files.resolve("sub/.wh.foo"));
    Files.createFile(files.resolve("sub/kept/.wh.old"));
    Files.createFile(files.resolve(".wh.gone"));
    Files.createFile(files.resolve("sub/.wh..wh..opq"));

    for (Path upper : List.of(devices, files)) {
      try (var walk = Files.walk(upper)) {
        for (Path p : walk.toList()) {
          Posix.lsetMtime(p, 1_000_000, 0);
        }
      }
    }

    assertEquals(
        UpperDiff.trusted().entries(devices).stream().map(LayerEntry::path).sorted().toList(),
        UpperDiff.fuseOverlayfs().entries(files).stream().map(LayerEntry::path).sorted().toList());
    assertEquals(layer(UpperDiff.trusted(), devices), layer(UpperDiff.fuseOverlayfs(), files));
  }

  /** A {@code .wh.} name that names no sibling is no whiteout, in fuse-overlayfs's form neither. */
  @Test
  void fuseOverlayfsUpper_refusesWhiteoutNamesNamingNoSibling() throws Exception {
    for (String bad : List.of(".wh..", ".wh...", ".wh..wh.plnk")) {
      Path upper = Files.createDirectories(tmp.resolve("bad" + bad.length() + bad.hashCode()));
      Files.createFile(upper.resolve(bad));
      IOException e =
          assertThrows(IOException.class, () -> UpperDiff.fuseOverlayfs().entries(upper));
      assertTrue(e.getMessage().contains("reserved for OCI whiteouts"), e.getMessage());
    }
  }

  private static String layer(UpperDiff diff, Path upper) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    diff.write(upper, LayerWriter.preservingMtimes(), out, Compression.NONE, 0);
    return HexFormat.of().formatHex(out.toByteArray());
  }
}
