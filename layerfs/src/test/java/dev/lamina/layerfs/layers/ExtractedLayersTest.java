package dev.lamina.layerfs.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestMismatchException;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.store.BlobWriter;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.store.StoreCheck;
import dev.lamina.layerfs.tar.ContentSource;
import dev.lamina.layerfs.tar.LayerDigests;
import dev.lamina.layerfs.tar.DirectoryScanner;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.LayerWriter;
import dev.lamina.layerfs.tar.Layers;
import dev.lamina.layerfs.tar.TreeTally;
import dev.lamina.layerfs.testing.Requirements;
import dev.lamina.layerfs.oci.ImageConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ExtractedLayersTest {
  @TempDir Path tmp;
  private Store store;
  private ExtractedLayers layers;

  @BeforeEach
  void setUp() throws IOException {
    Requirements.root(); // overlay-format whiteouts are character devices
    store = Store.open(tmp.resolve("root"));
    layers = ExtractedLayers.of(store);
  }

  private LayerDigests layer(Compression compression, LayerEntry... entries) throws IOException {
    try (BlobWriter w = store.blobs().newWriter()) {
      LayerDigests d = Layers.write(List.of(entries), w, compression, compression.defaultLevel());
      w.commit(d.digest(), d.size());
      return d;
    }
  }

  private static LayerEntry file(String path, String content) {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    return LayerEntry.regular(path, bytes.length, ContentSource.ofBytes(bytes));
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void ensure_extractsOnceInOverlayFormat(Compression compression) throws IOException {
    LayerDigests d =
        layer(
            compression,
            LayerEntry.directory("etc"),
            file("etc/hostname", "box"),
            LayerEntry.emptyFile("etc/.wh.gone"),
            LayerEntry.directory("opaque"),
            LayerEntry.emptyFile("opaque/.wh..wh..opq"));

    Path dir = layers.ensure(d.descriptor(), d.diffId());

    assertEquals(layers.pathOf(d.diffId()), dir);
    assertEquals("box", Files.readString(dir.resolve("etc/hostname")));
    FileStat wh = Posix.lstat(dir.resolve("etc/gone"));
    assertTrue(wh.isCharDevice() && wh.rdevMajor() == 0 && wh.rdevMinor() == 0);
    assertEquals(
        "y",
        new String(
            Posix.lgetxattr(dir.resolve("opaque"), "trusted.overlay.opaque").orElseThrow(),
            StandardCharsets.UTF_8));
    long inode = Posix.lstat(dir.resolve("etc/hostname")).ino();
    assertEquals(dir, layers.ensure(d.descriptor(), d.diffId()));
    assertEquals(inode, Posix.lstat(dir.resolve("etc/hostname")).ino(), "extracted only once");
  }

  @Test
  void ensure_tamperedBlob_failsAndLeavesNothing() throws IOException {
    LayerDigests d = layer(Compression.NONE, file("a", "hello"));
    Path blob = store.imagesDir().resolve("blobs/sha256/" + d.digest().hex());
    byte[] bytes = Files.readAllBytes(blob);
    bytes[600] ^= 1;
    Files.write(blob, bytes);

    assertThrows(DigestMismatchException.class, () -> layers.ensure(d.descriptor(), d.diffId()));
    assertFalse(layers.isExtracted(d.diffId()));
    assertNoTempLeft();
  }

  @Test
  void ensure_wrongDiffId_failsAndLeavesNothing() throws IOException {
    LayerDigests d = layer(Compression.GZIP, file("a", "hello"));
    Digest wrong = Digest.sha256("not this layer");

    IOException e =
        assertThrows(DigestMismatchException.class, () -> layers.ensure(d.descriptor(), wrong));
    assertTrue(e.getMessage().contains("unpacks to " + d.diffId()), e.getMessage());
    assertFalse(layers.isExtracted(wrong));
    assertNoTempLeft();
  }

  @Test
  void applyOnto_stacksLayersInAPlainDirectory_verifiedAndWithoutExtracting() throws IOException {
    LayerDigests bottom =
        layer(Compression.GZIP, file("etc/keep", "keep"), file("etc/gone", "gone"));
    LayerDigests top =
        layer(Compression.NONE, LayerEntry.emptyFile("etc/.wh.gone"), file("etc/new", "new"));
    Path root = Files.createDirectories(tmp.resolve("flat"));

    layers.applyOnto(bottom.descriptor(), bottom.diffId(), root);
    layers.applyOnto(top.descriptor(), top.diffId(), root);

    try (Stream<Path> etc = Files.list(root.resolve("etc"))) {
      assertEquals(
          List.of("keep", "new"), etc.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertFalse(layers.isExtracted(bottom.diffId()) || layers.isExtracted(top.diffId()));
    Digest wrong = Digest.sha256("not this layer");
    assertThrows(
        DigestMismatchException.class,
        () -> layers.applyOnto(bottom.descriptor(), wrong, Files.createTempDirectory(tmp, "x")));
  }

  @Test
  void ensure_concurrentCallers_shareOneExtraction() throws Exception {
    List<LayerEntry> many = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      many.add(file("f" + i, "content " + i));
    }
    LayerDigests d = layer(Compression.NONE, many.toArray(LayerEntry[]::new));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        results.add(pool.submit(() -> layers.ensure(d.descriptor(), d.diffId())));
      }
      for (Future<Path> f : results) {
        assertEquals(layers.pathOf(d.diffId()), f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    try (Stream<Path> files = Files.list(layers.pathOf(d.diffId()))) {
      assertEquals(300, files.count());
    }
    assertNoTempLeft();
  }

  @Test
  void ensure_staleTempFromACrash_isReplaced() throws IOException {
    LayerDigests d = layer(Compression.NONE, file("a", "fresh"));
    Path stale = Files.createDirectories(store.layersDir().resolve(".tmp-" + d.diffId().hex()));
    Files.writeString(stale.resolve("junk"), "half-written");

    Path dir = layers.ensure(d.descriptor(), d.diffId());

    assertEquals("fresh", Files.readString(dir.resolve("a")));
    assertFalse(Files.exists(dir.resolve("junk")));
    assertNoTempLeft();
  }

  @Test
  void ensureAll_andPrune_keepWhatImagesAndUsersNeed() throws IOException {
    LayerDigests kept = layer(Compression.NONE, file("kept", "1"));
    LayerDigests used = layer(Compression.NONE, file("used", "2"));
    LayerDigests orphan = layer(Compression.NONE, file("orphan", "3"));
    ImageConfig config =
        ImageConfig.empty("2026-01-01T00:00:00Z")
            .withLayer(kept.diffId(), new ImageConfig.History(null, "test", null, null, null));
    store.images().write(config, List.of(kept.descriptor()), "img");
    ImageDetails image = store.images().inspect("img");
    List<Path> dirs = layers.ensureAll(image.manifest(), image.config());
    Path usedDir = layers.ensure(used.descriptor(), used.diffId());
    Path orphanDir = layers.ensure(orphan.descriptor(), orphan.diffId());

    long freed = layers.pruneHook(() -> List.of(usedDir)).prune(store);

    assertTrue(freed > 0);
    assertTrue(Files.isDirectory(dirs.get(0)));
    assertTrue(Files.isDirectory(usedDir));
    assertFalse(Files.exists(orphanDir));
  }

  @Test
  void ensure_unknownMediaType_isRefused() throws IOException {
    LayerDigests d = layer(Compression.NONE, file("a", "x"));
    Descriptor odd = d.descriptor().withMediaType("application/x-something");
    IOException e = assertThrows(IOException.class, () -> layers.ensure(odd, d.diffId()));
    assertTrue(e.getMessage().contains("unsupported media type"), e.getMessage());
  }

  @Test
  void prune_killedWhileDeleting_neverLeavesAPartialLayerUnderItsName() throws Exception {
    // 10 directories of 500 files: deleting them takes long enough to be killed half-way.
    List<LayerEntry> entries = new ArrayList<>();
    for (int d = 0; d < 10; d++) {
      entries.add(LayerEntry.directory("d" + d));
      for (int f = 0; f < 500; f++) {
        entries.add(file("d" + d + "/f" + f, "x"));
      }
    }
    LayerDigests d = layer(Compression.NONE, entries.toArray(LayerEntry[]::new));
    Path dir = layers.ensure(d.descriptor(), d.diffId());
    TreeTally complete = TreeTally.of(dir);
    int links = nlink(dir);

    Process prune = LayerProcess.start("prune", store.root().toString());
    // Deletion has begun once the layer loses its name or one of its directories.
    while (prune.isAlive() && Files.exists(dir) && nlink(dir) == links) {
      Thread.sleep(1);
    }
    prune.destroyForcibly().waitFor(); // SIGKILL

    assertTrue(
        !Files.exists(dir) || TreeTally.of(dir).equals(complete),
        "a partial layer kept its name");
    Store reopened = Store.open(store.root());
    try (Stream<Path> left = Files.list(reopened.tmpDir())) {
      assertEquals(List.of(), left.toList(), "the half-deleted tree goes when the store opens");
    }
    ExtractedLayers again = ExtractedLayers.of(reopened);
    Path used = again.ensure(d.descriptor(), d.diffId());
    assertEquals(complete, TreeTally.of(used), "the next use gets the whole layer");
    assertEquals(List.of(), again.checkedPart(List::of).check(false).problems());
  }

  @Test
  void check_layerThatLostFiles_isBroken_andRepairRemovesIt() throws IOException {
    LayerDigests d = layer(Compression.NONE, file("a", "1"), file("b", "2"));
    Path dir = layers.ensure(d.descriptor(), d.diffId());
    var part = layers.checkedPart(List::of);
    assertEquals(List.of(), part.check(false).problems());
    Files.delete(dir.resolve("b")); // as a removal killed half-way by an older version left it

    var found = part.check(false);
    assertEquals(1, found.checked());
    assertEquals(StoreCheck.Kind.BROKEN_LAYER, found.problems().get(0).kind(), found.toString());

    part.check(true);
    assertFalse(Files.exists(dir));
    assertEquals("2", Files.readString(layers.ensure(d.descriptor(), d.diffId()).resolve("b")));
    assertEquals(List.of(), part.check(false).problems());
  }

  @Test
  void check_layerWithoutMarker_isUnverified_repairKeepsItWhileAContainerUsesIt()
      throws IOException {
    LayerDigests d = layer(Compression.NONE, file("a", "1"));
    Path dir = layers.ensure(d.descriptor(), d.diffId());
    // A layer extracted before completion markers existed.
    Files.delete(store.layersDir().resolve(".complete").resolve(dir.getFileName().toString()));

    var found = layers.checkedPart(List::of).check(false).problems();
    assertEquals(StoreCheck.Kind.UNVERIFIED_LAYER, found.get(0).kind(), found.toString());
    var inUse = layers.checkedPart(() -> List.of(dir)).check(true).problems();
    assertTrue(inUse.get(0).detail().contains("a container uses it"), inUse.toString());
    assertTrue(Files.isDirectory(dir));
    layers.checkedPart(List::of).check(true);
    assertFalse(Files.exists(dir));
  }

  private static int nlink(Path p) throws IOException {
    try {
      return (Integer) Files.getAttribute(p, "unix:nlink", java.nio.file.LinkOption.NOFOLLOW_LINKS);
    } catch (java.nio.file.NoSuchFileException gone) {
      return -1;
    }
  }

  /**
   * An overlay upper as a RUN step leaves it: its own files with nanosecond times, owners, modes,
   * a user xattr and overlayfs's private ones, a hardlink, a symlink, and a mount point the
   * runtime created ({@code etc/hosts}) that the layer leaves out.
   */
  private Path upperOfARun() throws IOException {
    Path upper = Files.createDirectories(tmp.resolve("work/upper"));
    Path data = Files.createDirectory(upper.resolve("data"));
    Files.writeString(data.resolve("a"), "file a");
    Files.writeString(data.resolve("b"), "file b");
    Files.createLink(data.resolve("b-link"), data.resolve("b"));
    Posix.symlink("a", data.resolve("to-a"));
    Posix.chmod(data, 0750);
    Posix.lchown(data.resolve("a"), 1001, 1002);
    Posix.chmod(data.resolve("a"), 04755);
    Posix.lsetxattr(data.resolve("a"), "user.kept", "v".getBytes(StandardCharsets.UTF_8));
    Posix.lsetxattr(data.resolve("b"), "trusted.overlay.origin", new byte[] {1, 2});
    Posix.lsetxattr(upper, "trusted.overlay.impure", new byte[] {'y'});
    Files.createDirectory(upper.resolve("etc"));
    Files.createFile(upper.resolve("etc/hosts"));
    Posix.lsetxattr(upper.resolve("etc"), "trusted.overlay.origin", new byte[] {3});
    Posix.lutimes(data.resolve("a"), 1_700_000_000L, 987_654_321);
    Posix.lutimes(data, 1_700_000_100L, 123_456_789);
    return upper;
  }

  private LayerDigests layerOf(Path upper, Set<String> leftOut) throws IOException {
    List<LayerEntry> entries = DirectoryScanner.scan(upper, p -> !leftOut.contains(p));
    try (BlobWriter w = store.blobs().newWriter()) {
      LayerDigests d = Layers.write(entries, w, Compression.GZIP, Compression.GZIP.defaultLevel());
      w.commit(d.digest(), d.size());
      return d;
    }
  }

  @Test
  void adopt_upperBecomesTheLayer_exactlyAsItsExtractionWouldBe() throws IOException {
    Path upper = upperOfARun();
    Set<String> leftOut = Set.of("etc/hosts");
    LayerDigests d = layerOf(upper, leftOut);
    List<LayerEntry> planned =
        LayerWriter.preservingMtimes()
            .plan(DirectoryScanner.scan(upper, p -> !leftOut.contains(p)));
    Path extracted = Files.createDirectory(tmp.resolve("extracted"));
    layers.applyOnto(d.descriptor(), d.diffId(), extracted);
    long inode = Posix.lstat(upper.resolve("data/a")).ino();

    assertTrue(layers.adopt(d.diffId(), upper, planned, leftOut));

    Path dir = layers.pathOf(d.diffId());
    assertTrue(layers.isExtracted(d.diffId()));
    assertFalse(Files.exists(upper));
    assertEquals(inode, Posix.lstat(dir.resolve("data/a")).ino(), "the upper's own files");
    assertEquals(describe(extracted), describe(dir));
    assertEquals(dir, layers.ensure(d.descriptor(), d.diffId()));
    assertEquals(inode, Posix.lstat(dir.resolve("data/a")).ino(), "not extracted again");
    assertTrue(layers.checkedPart(ExtractedLayers.LayerUsers.NONE).check(false).problems()
        .isEmpty());
  }

  @Test
  void adopt_upperWithWhiteouts_isLeftToExtraction() throws IOException {
    Path upper = upperOfARun();
    Posix.mknod(upper.resolve("data/gone"), FileStat.S_IFCHR, 0, 0);
    LayerDigests d = layerOf(upper, Set.of("etc/hosts"));
    List<LayerEntry> planned =
        LayerWriter.preservingMtimes().plan(List.of(LayerEntry.emptyFile("data/.wh.gone")));

    assertFalse(layers.adopt(d.diffId(), upper, planned, Set.of("etc/hosts")));
    assertFalse(layers.isExtracted(d.diffId()));
  }

  @Test
  void adopt_upperHoldingMoreThanItsEntries_isLeftToExtraction() throws IOException {
    Path upper = upperOfARun();
    LayerDigests d = layerOf(upper, Set.of("etc/hosts"));
    List<LayerEntry> planned =
        LayerWriter.preservingMtimes()
            .plan(DirectoryScanner.scan(upper, p -> !p.startsWith("etc")));

    assertFalse(layers.adopt(d.diffId(), upper, planned, Set.of("etc/hosts")));
    assertFalse(layers.isExtracted(d.diffId()));
  }

  /**
   * Every path below {@code root} with what an overlay lower shows of it; the root itself only by
   * its xattrs (its times are when it was made, and the upper of a mount hides its mode).
   */
  private static Map<String, String> describe(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (p.equals(root)) {
          out.put("", Posix.llistxattr(p).toString());
          continue;
        }
        FileStat st = Posix.lstat(p);
        StringBuilder sb = new StringBuilder();
        sb.append(Integer.toOctalString(st.mode())).append(' ').append(st.uid()).append(':')
            .append(st.gid()).append(' ').append(st.size()).append(' ')
            .append(st.mtimeSeconds()).append('.').append(st.mtimeNanos()).append(' ')
            .append(st.nlink()).append(' ').append(DirectoryScanner.xattrs(p).keySet());
        if (st.isSymlink()) {
          sb.append(" -> ").append(Posix.readlink(p));
        } else if (st.isRegularFile()) {
          sb.append(' ').append(Files.readString(p));
        }
        for (String x : Posix.llistxattr(p)) {
          sb.append(' ').append(x);
        }
        out.put(root.relativize(p).toString(), sb.toString());
      }
    }
    return out;
  }

  private void assertNoTempLeft() throws IOException {
    try (Stream<Path> entries = Files.list(store.layersDir())) {
      assertTrue(entries.noneMatch(p -> p.getFileName().toString().startsWith(".tmp-")));
    }
  }
}
