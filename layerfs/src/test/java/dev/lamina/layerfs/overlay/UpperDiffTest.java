package dev.lamina.layerfs.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.store.Trees;
import dev.lamina.layerfs.tar.ApplyOptions;
import dev.lamina.layerfs.tar.LayerApplier;
import dev.lamina.layerfs.tar.EntryType;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.LayerWriter;
import dev.lamina.layerfs.tar.WhiteoutFormat;
import dev.lamina.layerfs.testing.Requirements;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpperDiffTest {
  @TempDir Path tmp;
  private Path lower;
  private Path upper;
  private Path merged;

  @BeforeEach
  void setUp() throws IOException {
    Requirements.root();
    lower = Files.createDirectories(tmp.resolve("lower"));
    Files.createDirectories(lower.resolve("etc/conf.d"));
    Files.writeString(lower.resolve("etc/keep"), "keep");
    Files.writeString(lower.resolve("etc/remove-me"), "old");
    Files.writeString(lower.resolve("etc/conf.d/a"), "a");
    Files.writeString(lower.resolve("etc/conf.d/b"), "b");
    upper = Files.createDirectories(tmp.resolve("upper"));
    merged = Files.createDirectories(tmp.resolve("merged"));
    OverlayMount.of(List.of(lower), upper, Files.createDirectories(tmp.resolve("work")))
        .mountOn(merged);
  }

  @AfterEach
  void tearDown() throws IOException {
    OverlayMount.unmountAllUnder(tmp);
  }

  @Test
  void entries_turnOverlayMarkersIntoOciWhiteouts() throws IOException {
    Files.delete(merged.resolve("etc/remove-me"));
    Trees.deleteRecursively(merged.resolve("etc/conf.d"));
    Files.createDirectory(merged.resolve("etc/conf.d"));
    Files.writeString(merged.resolve("etc/conf.d/c"), "c");
    Files.writeString(merged.resolve("new"), "new");
    Map<String, String> view = tree(merged);
    OverlayMount.unmount(merged);

    List<String> paths =
        UpperDiff.trusted().entries(upper).stream().map(LayerEntry::path).toList();

    assertTrue(paths.contains("etc/.wh.remove-me"), paths.toString());
    assertTrue(paths.contains("etc/conf.d/.wh..wh..opq"), paths.toString());
    assertTrue(paths.contains("etc/conf.d/c"), paths.toString());
    assertTrue(paths.contains("new"), paths.toString());
    assertFalse(paths.contains("etc/keep"), "unchanged lower files are not in the diff");

    // The diff applied over the lower (as a flattened rootfs) gives what the mount showed.
    ByteArrayOutputStream layer = new ByteArrayOutputStream();
    UpperDiff.trusted().write(upper, LayerWriter.preservingMtimes(), layer, Compression.NONE, 0);
    Path flat = Files.createDirectories(tmp.resolve("flat"));
    copyTree(lower, flat);
    LayerApplier.apply(
        new ByteArrayInputStream(layer.toByteArray()),
        flat,
        ApplyOptions.defaults(WhiteoutFormat.flatten()));
    assertEquals(view, tree(flat));
  }

  @Test
  void entries_whiteoutsSharingOneInodeAreAllWhiteouts() throws IOException {
    Files.delete(merged.resolve("etc/remove-me"));
    Files.delete(merged.resolve("etc/keep"));
    OverlayMount.unmount(merged);
    // Whatever the kernel did, make the second whiteout a hard link to the first, as kernels
    // that share one whiteout inode do.
    Files.delete(upper.resolve("etc/remove-me"));
    Files.createLink(upper.resolve("etc/remove-me"), upper.resolve("etc/keep"));

    List<LayerEntry> entries = UpperDiff.trusted().entries(upper);

    List<String> paths = entries.stream().map(LayerEntry::path).toList();
    assertTrue(paths.contains("etc/.wh.keep"), paths.toString());
    assertTrue(paths.contains("etc/.wh.remove-me"), paths.toString());
    assertTrue(entries.stream().noneMatch(e -> e.type() == EntryType.HARDLINK), paths.toString());
  }

  @Test
  void write_keepsTheUppersTimes_orClampsThemToAnEpoch() throws IOException {
    Files.writeString(merged.resolve("x"), "x");
    Files.delete(merged.resolve("etc/keep"));
    OverlayMount.unmount(merged);
    LayerWriter clamped = LayerWriter.clampedTo(java.time.Instant.ofEpochSecond(100_000));
    ByteArrayOutputStream a = new ByteArrayOutputStream();
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    UpperDiff.trusted().write(upper, clamped, a, Compression.NONE, 0);
    Posix.lsetMtime(upper.resolve("x"), 200_000, 0);
    UpperDiff.trusted().write(upper, clamped, b, Compression.NONE, 0);
    assertEquals(
        java.util.HexFormat.of().formatHex(a.toByteArray()),
        java.util.HexFormat.of().formatHex(b.toByteArray()));

    Posix.lsetMtime(upper.resolve("x"), 12_345, 0);
    ByteArrayOutputStream kept = new ByteArrayOutputStream();
    UpperDiff.trusted().write(upper, LayerWriter.preservingMtimes(), kept, Compression.NONE, 0);
    try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
        new ByteArrayInputStream(kept.toByteArray()))) {
      for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        if (e.getName().equals("x")) {
          assertEquals(12_345, e.getModTime().toInstant().getEpochSecond());
          return;
        }
      }
    }
    throw new AssertionError("no entry x");
  }

  @Test
  void entries_refusesReservedNamesAndRedirects() throws IOException {
    Files.writeString(merged.resolve(".wh.sneaky"), "x");
    OverlayMount.unmount(merged);
    IOException e = assertThrows(IOException.class, () -> UpperDiff.trusted().entries(upper));
    assertTrue(e.getMessage().contains("reserved for OCI whiteouts"), e.getMessage());

    Files.delete(upper.resolve(".wh.sneaky"));
    Path moved = Files.createDirectories(upper.resolve("moved"));
    Posix.lsetxattr(moved, "trusted.overlay.redirect", "/etc".getBytes(StandardCharsets.UTF_8));
    e = assertThrows(IOException.class, () -> UpperDiff.trusted().entries(upper));
    assertTrue(e.getMessage().contains("redirect_dir"), e.getMessage());
  }

  private static Map<String, String> tree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> !p.equals(root))
          .collect(
              Collectors.toMap(
                  p -> root.relativize(p).toString(),
                  p -> {
                    try {
                      return Files.isDirectory(p) ? "<dir>" : Files.readString(p);
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  },
                  (x, y) -> x,
                  TreeMap::new));
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path dest = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(dest);
        } else {
          Files.copy(p, dest);
        }
      }
    }
  }
}
