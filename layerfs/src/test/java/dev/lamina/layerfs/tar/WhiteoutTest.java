package dev.lamina.layerfs.tar;

import static dev.lamina.layerfs.tar.TarFixture.dirEntry;
import static dev.lamina.layerfs.tar.TarFixture.fileEntry;
import static dev.lamina.layerfs.tar.TarFixture.tar;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.testing.Requirements;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** OCI whiteouts in both on-disk formats, and a real overlay mount that reads the second. */
class WhiteoutTest {
  @TempDir Path tmp;

  private static void apply(TarFixture tar, Path root, WhiteoutFormat format) throws IOException {
    LayerApplier.apply(new ByteArrayInputStream(tar.bytes()), root, ApplyOptions.defaults(format));
  }

  private Path dir(String name) throws IOException {
    return Files.createDirectories(tmp.resolve(name));
  }

  private static boolean exists(Path root, String name) {
    return Files.exists(root.resolve(name), LinkOption.NOFOLLOW_LINKS);
  }

  /** The entries of an opaque-directory layer, in every order that matters. */
  static Stream<List<TarFixture.Entry>> opaqueOrders() {
    List<List<TarFixture.Entry>> orders = new ArrayList<>();
    for (int rotation = 0; rotation < 4; rotation++) {
      List<TarFixture.Entry> entries =
          new ArrayList<>(
              List.of(
                  fileEntry("a/.wh..wh..opq", ""),
                  fileEntry("a/new", "new"),
                  fileEntry("a/sub/added", "added"),
                  dirEntry("a/fresh")));
      Collections.rotate(entries, rotation);
      orders.add(entries);
    }
    List<TarFixture.Entry> reversed = new ArrayList<>(orders.get(0));
    Collections.reverse(reversed);
    orders.add(reversed);
    return orders.stream();
  }

  @ParameterizedTest
  @MethodSource("opaqueOrders")
  void flatten_opaque_hidesLowerChildrenOnlyInAnyOrder(List<TarFixture.Entry> entries)
      throws Exception {
    Path root = dir("root");
    LowerTree.lower().file("a/old", "old").file("a/sub/lower", "lower").file("keep", "k")
        .apply(root);
    TarFixture tar = tar();
    entries.forEach(tar::add);
    apply(tar, root, WhiteoutFormat.flatten());
    assertFalse(exists(root, "a/old"));
    assertFalse(exists(root, "a/sub/lower"));
    assertEquals("new", Files.readString(root.resolve("a/new")));
    assertEquals("added", Files.readString(root.resolve("a/sub/added")));
    assertTrue(Files.isDirectory(root.resolve("a/fresh")));
    assertTrue(exists(root, "keep"));
  }

  @ParameterizedTest
  @MethodSource("opaqueOrders")
  void overlay_opaque_setsXattrAndKeepsLayerEntriesInAnyOrder(List<TarFixture.Entry> entries)
      throws Exception {
    Requirements.root();
    Path root = dir("root");
    TarFixture tar = tar();
    entries.forEach(tar::add);
    apply(tar, root, WhiteoutFormat.overlay());
    assertArrayEquals(
        new byte[] {'y'}, Posix.lgetxattr(root.resolve("a"), "trusted.overlay.opaque").get());
    assertEquals("new", Files.readString(root.resolve("a/new")));
    assertEquals("added", Files.readString(root.resolve("a/sub/added")));
    assertFalse(exists(root, "a/.wh..wh..opq"));
  }

  @Test
  void flatten_nestedOpaqueDirectories_persist() throws Exception {
    Path root = dir("root");
    LowerTree.lower().file("a/b/old", "old").file("a/x", "x").apply(root);
    apply(tar().dir("a").file("a/.wh..wh..opq", "").dir("a/b").file("a/b/.wh..wh..opq", "")
        .file("a/b/c", "c"), root, WhiteoutFormat.flatten());
    assertEquals("c", Files.readString(root.resolve("a/b/c")));
    assertFalse(exists(root, "a/b/old"));
    assertFalse(exists(root, "a/x"));
  }

  @Test
  void flatten_whiteout_neverDeletesWhatThisLayerAdded() throws Exception {
    Path root = dir("root");
    LowerTree.lower().file("d/lower", "lower").apply(root);
    apply(tar().file("d/new", "new").file("d/.wh.new", "").file("d/.wh.lower", ""), root,
        WhiteoutFormat.flatten());
    assertEquals("new", Files.readString(root.resolve("d/new")));
    assertFalse(exists(root, "d/lower"));
  }

  @Test
  void flatten_whiteout_removesDirectoryRecursivelyWithoutFollowingLinks() throws Exception {
    Path root = dir("root");
    Path outside = dir("outside");
    Files.writeString(outside.resolve("precious"), "p");
    LowerTree.lower().file("d/sub/f", "f").symlink("d/sub/out", outside.toString()).apply(root);
    apply(tar().file(".wh.d", ""), root, WhiteoutFormat.flatten());
    assertFalse(exists(root, "d"));
    assertEquals("p", Files.readString(outside.resolve("precious")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"flatten", "overlay"})
  void whiteout_keepsParentMtime(String format) throws Exception {
    Requirements.root();
    Path root = dir("root");
    LowerTree.lower().file("d/x", "x").apply(root);
    Posix.lsetMtime(root.resolve("d"), 1_234_567, 0);
    WhiteoutFormat f =
        format.equals("flatten") ? WhiteoutFormat.flatten() : WhiteoutFormat.overlay();
    apply(tar().file("d/.wh.x", "").file("d/.wh..wh..opq", ""), root, f);
    assertEquals(1_234_567, Posix.lstat(root.resolve("d")).mtimeSeconds());
  }

  @ParameterizedTest
  @ValueSource(strings = {".wh..", ".wh...", "etc/.wh..", "etc/.wh...", ".wh."})
  void overlay_invalidWhiteout_rejected(String name) throws Exception {
    Path root = dir("root");
    assertThrows(
        LayerFormatException.class,
        () -> apply(tar().file(name, ""), root, WhiteoutFormat.overlay()));
  }

  @Test
  void overlay_whiteout_isCharDeviceZeroZero() throws Exception {
    Requirements.root();
    Path root = dir("root");
    apply(tar().file("etc/.wh.passwd", "").file("new", "n").file(".wh.new", ""), root,
        WhiteoutFormat.overlay());
    FileStat st = Posix.lstat(root.resolve("etc/passwd"));
    assertTrue(st.isCharDevice());
    assertEquals(0, st.rdevMajor());
    assertEquals(0, st.rdevMinor());
    assertTrue(Files.isRegularFile(root.resolve("new"), LinkOption.NOFOLLOW_LINKS));
    assertFalse(exists(root, "etc/.wh.passwd"));
  }

  @Test
  void overlayInUserNamespace_usesUserXattr() throws Exception {
    Path root = dir("root");
    apply(tar().file("a/.wh..wh..opq", ""), root, WhiteoutFormat.overlayInUserNamespace());
    assertArrayEquals(
        new byte[] {'y'}, Posix.lgetxattr(root.resolve("a"), "user.overlay.opaque").get());
    assertEquals(Optional.empty(), Posix.lgetxattr(root.resolve("a"), "trusted.overlay.opaque"));
  }

  @Test
  void overlay_layerOverlayXattrs_areEscapedNotForged() throws Exception {
    Requirements.root();
    Path root = dir("root");
    apply(tar()
            .add(dirEntry("forged").xattr("trusted.overlay.opaque", "y"))
            .add(fileEntry("f", "x").xattr("trusted.overlay.redirect", "/etc")
                .xattr("user.overlay.opaque", "y")),
        root, WhiteoutFormat.overlay());
    Path forged = root.resolve("forged");
    assertEquals(Optional.empty(), Posix.lgetxattr(forged, "trusted.overlay.opaque"));
    assertArrayEquals(
        new byte[] {'y'}, Posix.lgetxattr(forged, "trusted.overlay.overlay.opaque").get());
    Path f = root.resolve("f");
    assertEquals(Optional.empty(), Posix.lgetxattr(f, "trusted.overlay.redirect"));
    assertArrayEquals(
        "/etc".getBytes(), Posix.lgetxattr(f, "trusted.overlay.overlay.redirect").get());
    // Not this mount's namespace: stored as is.
    assertArrayEquals(new byte[] {'y'}, Posix.lgetxattr(f, "user.overlay.opaque").get());
  }

  @Test
  void overlayFormat_readByRealOverlayMount_matchesFlattenedTree() throws Exception {
    Requirements.root();
    TarFixture base =
        tar().dir("a").file("a/keep", "keep").file("a/gone", "gone").dir("b").file("b/old", "old")
            .add(dirEntry("b/olddir")).file("b/olddir/x", "x").file("c", "c");
    TarFixture top =
        tar().file("a/.wh.gone", "").file("b/new", "new").file("b/.wh..wh..opq", "")
            .file(".wh.c", "").add(fileEntry("escaped", "e").xattr("trusted.overlay.opaque", "y"));
    Path lower1 = dir("lower1");
    Path lower2 = dir("lower2");
    apply(base, lower1, WhiteoutFormat.overlay());
    apply(top, lower2, WhiteoutFormat.overlay());
    Path flat = dir("flat");
    apply(base, flat, WhiteoutFormat.flatten());
    apply(top, flat, WhiteoutFormat.flatten());

    Path mnt = dir("mnt");
    Posix.mount("overlay", mnt, "overlay", Posix.MS_RDONLY, "lowerdir=" + lower2 + ":" + lower1);
    try {
      assertTrue(exists(mnt, "a/keep"));
      assertFalse(exists(mnt, "a/gone"));
      assertFalse(exists(mnt, "b/old"));
      assertFalse(exists(mnt, "b/olddir"));
      assertFalse(exists(mnt, "c"));
      assertEquals("new", Files.readString(mnt.resolve("b/new")));
      assertEquals(listing(flat), listing(mnt));
      // The escaped attribute reads back unescaped through the mount (Linux 6.7+).
      assertArrayEquals(
          new byte[] {'y'},
          Posix.lgetxattr(mnt.resolve("escaped"), "trusted.overlay.opaque").orElseThrow());
    } finally {
      Posix.umount(mnt, 0);
    }
  }

  private static TreeMap<String, String> listing(Path root) throws IOException {
    TreeMap<String, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        FileStat st = Posix.lstat(p);
        String what = Integer.toOctalString(st.mode());
        if (st.isRegularFile()) {
          what += " " + Files.readString(p);
        }
        out.put(root.relativize(p).toString(), what);
      }
    }
    return out;
  }
}
