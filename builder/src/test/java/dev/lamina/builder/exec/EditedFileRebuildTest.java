package dev.lamina.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rebuild after a file deep in a copied directory changed: the lookup's walk stops where it
 * meets the file, and the layer is written at once; when the file changes again, the digest
 * memo's delta names it, so no lookup walk is made at all. Either way the layer is recorded under
 * the key of what the write read; an edit undone still finds the layer cached for it, and the
 * layer written meanwhile is not kept.
 */
class EditedFileRebuildTest {
  private static final String RECIPE = "FROM scratch\nCOPY lib /lib\nCOPY app /app\n";
  private static final String WRITTEN_AT_ONCE = "layer written at once";
  private static final String CHANGED_AGAIN =
      "layer written at once: a file it copies changed again";
  private static final String MET_BY_THE_WALK = "layer written at once: the lookup's walk met";
  private static final String HIT_AFTER_WRITE = "found by the layer's write";

  @TempDir Path tmp;

  /** A build, and what {@code --explain-cache} said. */
  private record Built(BuildResult result, String explained) {}

  private static Built build(Store store, Path ctx) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BuildResult result = Builder.build(store,
        BuildOptions.builder(ctx).recipeText(RECIPE).tag("test").explainCache(true).build(),
        Progress.plain(new PrintStream(out, true, StandardCharsets.UTF_8)));
    return new Built(result, out.toString(StandardCharsets.UTF_8));
  }

  /**
   * Gives {@code file} other bytes of the same size and puts its modification time back, as the
   * scale benchmark does: only its change time tells.
   */
  private static void edit(Path file, String content) throws IOException {
    FileTime mtime = Files.getLastModifiedTime(file);
    Files.writeString(file, content);
    Files.setLastModifiedTime(file, mtime);
  }

  /** Waits until files changed now are no longer "racy": a build from then on remembers them. */
  private static void pastTheRacyWindow() throws InterruptedException {
    Thread.sleep(3000); // FileDigests.RACY_SECONDS and one more
  }

  private static String deepFileOfTheLayer(Store store, BuildResult r) throws IOException {
    ImageDetails d = store.images().inspect("test");
    int last = d.config().diffIds().size() - 1;
    assertEquals(r.config().diffIds(), d.config().diffIds());
    Path layer = ExtractedLayers.of(store)
        .ensure(d.manifest().layers().get(last), d.config().diffIds().get(last));
    return Files.readString(layer.resolve("app/a/b/c/deep.txt"));
  }

  private static long occurrences(String text, String of) {
    return text.lines().filter(l -> l.contains(of)).count();
  }

  /** A context of two copied directories, built, then its deep file edited and built again. */
  private Path contextEditedOnce(Store store) throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Path deep = Files.createDirectories(ctx.resolve("app/a/b/c")).resolve("deep.txt");
    Files.writeString(deep, "0000");
    for (int i = 0; i < 30; i++) {
      Files.writeString(ctx.resolve("app/a/f" + i), "app " + i);
    }
    Files.createDirectories(ctx.resolve("lib"));
    Files.writeString(ctx.resolve("lib/x"), "lib");
    pastTheRacyWindow();
    build(store, ctx);
    edit(deep, "1111");
    pastTheRacyWindow();
    Built once = build(store, ctx);
    assertEquals(1, once.result().cachedSteps(), "COPY lib hit");
    assertEquals(1, occurrences(once.explained(), MET_BY_THE_WALK),
        "a file's first edit is met by the lookup's walk:\n" + once.explained());
    assertEquals("1111", deepFileOfTheLayer(store, once.result()));
    return ctx;
  }

  @Test
  void editedAgain_layerWrittenAtOnce_holdsTheNewBytes_underItsKey() throws Exception {
    Store store = Store.open(tmp.resolve("store"));
    Path ctx = contextEditedOnce(store);
    edit(ctx.resolve("app/a/b/c/deep.txt"), "2222");
    Built again = build(store, ctx);
    assertEquals(1, occurrences(again.explained(), CHANGED_AGAIN),
        "COPY app alone (COPY lib copies no edited file):\n" + again.explained());
    assertEquals(1, occurrences(again.explained(), WRITTEN_AT_ONCE), again.explained());
    assertEquals(1, again.result().cachedSteps(), "COPY lib still hit");
    assertEquals("2222", deepFileOfTheLayer(store, again.result()));

    Built unchanged = build(store, ctx);
    assertEquals(2, unchanged.result().cachedSteps(), "the layer was recorded under its key");
    assertEquals(again.result().config().diffIds(), unchanged.result().config().diffIds());
    assertFalse(unchanged.explained().contains(WRITTEN_AT_ONCE), unchanged.explained());
  }

  @Test
  void editUndone_hitsTheLayerCachedForIt_andKeepsNoNewBlob() throws Exception {
    Store store = Store.open(tmp.resolve("store"));
    Path ctx = contextEditedOnce(store);
    List<Digest> layersOf1111 = store.images().inspect("test").config().diffIds();
    Path deep = ctx.resolve("app/a/b/c/deep.txt");
    edit(deep, "2222");
    pastTheRacyWindow(); // the memo's delta then knows "2222"
    build(store, ctx);

    // Back to the bytes built before, with another time: a layer written now differs from the
    // cached one in that time alone, which the key leaves out.
    Files.writeString(deep, "1111");
    Files.setLastModifiedTime(deep, FileTime.fromMillis(1_000_000_000_000L));
    List<Path> blobsBefore = blobs(store);
    Built undone = build(store, ctx);
    assertEquals(1, occurrences(undone.explained(), HIT_AFTER_WRITE), undone.explained());
    assertEquals(2, undone.result().cachedSteps());
    assertEquals(layersOf1111, undone.result().config().diffIds(), "the layer cached for 1111");
    assertEquals("1111", deepFileOfTheLayer(store, undone.result()));
    List<Path> blobsAfter = blobs(store);
    blobsAfter.removeAll(blobsBefore);
    // At most an image's manifest and config (the layer's tar of 32 files is larger).
    for (Path p : blobsAfter) {
      assertTrue(Files.size(p) < 4096, p + " is a layer kept");
    }
  }

  /**
   * A build right after an edit does not remember the file (its stamp could still change unseen),
   * so the memo's record of it stays older than what that build saw: the next build, with
   * nothing changed, still looks its key up and hits, rather than writing the layer at once.
   */
  @Test
  void editBuiltAtOnce_rebuiltUnchanged_hitsWithoutAWrite() throws Exception {
    Store store = Store.open(tmp.resolve("store"));
    Path ctx = contextEditedOnce(store);
    edit(ctx.resolve("app/a/b/c/deep.txt"), "2222");
    Built atOnce = build(store, ctx); // within the racy window: "2222" is not remembered
    assertEquals(1, occurrences(atOnce.explained(), WRITTEN_AT_ONCE), atOnce.explained());
    Built unchanged = build(store, ctx);
    assertEquals(2, unchanged.result().cachedSteps());
    assertFalse(unchanged.explained().contains(WRITTEN_AT_ONCE)
        || unchanged.explained().contains(HIT_AFTER_WRITE), unchanged.explained());
    assertEquals("2222", deepFileOfTheLayer(store, unchanged.result()));
  }

  /** A file rewritten with the bytes it had: the lookup's walk reads it, goes on, and hits. */
  @Test
  void touchedOnly_lookupWalkGoesOn_andHits() throws Exception {
    Store store = Store.open(tmp.resolve("store"));
    Path ctx = contextEditedOnce(store);
    Files.writeString(ctx.resolve("app/a/b/c/deep.txt"), "1111");
    Built touched = build(store, ctx);
    assertEquals(2, touched.result().cachedSteps());
    assertFalse(touched.explained().contains(WRITTEN_AT_ONCE)
        || touched.explained().contains(HIT_AFTER_WRITE), touched.explained());
  }

  private static List<Path> blobs(Store store) throws IOException {
    try (Stream<Path> files = Files.list(store.imagesDir().resolve("blobs/sha256"))) {
      return new java.util.ArrayList<>(files.toList());
    }
  }
}
