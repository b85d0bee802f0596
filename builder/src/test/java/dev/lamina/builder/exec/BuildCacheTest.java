package dev.lamina.builder.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.builder.context.FileDigests;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.testing.ProcessIo;
import dev.lamina.layerfs.testing.RawNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build cache of COPY steps: keys follow file contents (never times), the digest memo spares
 * reading unchanged files, and a step that never ran is written while its files are hashed.
 */
class BuildCacheTest {
  @TempDir Path tmp;

  private BuildResult build(Store store, Path context, String recipe, boolean noCache)
      throws Exception {
    return Builder.build(
        store,
        BuildOptions.builder(context).recipeText(recipe).tag("test").noCache(noCache).build(),
        Progress.quiet());
  }

  private BuildResult build(Store store, Path context, String recipe) throws Exception {
    return build(store, context, recipe, false);
  }

  private static void deleteMemos(Store store) throws IOException {
    Path memos = store.cacheDir().resolve("digests");
    try (Stream<Path> files = Files.list(memos)) {
      for (Path p : files.toList()) {
        Files.delete(p);
      }
    }
  }

  @Test
  void rebuild_withoutMemo_hashesFirstAndHits() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.createDirectories(ctx.resolve("dir/sub"));
    Files.writeString(ctx.resolve("dir/a"), "a");
    Files.writeString(ctx.resolve("dir/sub/b"), "b".repeat(100_000));
    Store store = Store.open(tmp.resolve("store"));
    String recipe = "FROM scratch\nCOPY dir /d\n";
    BuildResult first = build(store, ctx, recipe);
    Files.createDirectories(store.cacheDir().resolve("digests"));
    deleteMemos(store);
    BuildResult second = build(store, ctx, recipe);
    assertEquals(1, second.cachedSteps());
    assertEquals(first.config().diffIds(), second.config().diffIds());
  }

  /** Two names one byte apart, a byte that is not UTF-8, are two names to the cache too. */
  @Test
  void rebuild_nameChangedOnlyInAnInvalidByte_misses() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("ctx/dir"));
    RawNames.sh("printf one > \"$1/a$(printf '\\377')\"", dir.toString());
    Store store = Store.open(tmp.resolve("store"));
    String recipe = "FROM scratch\nCOPY dir /d\n";
    BuildResult first = build(store, dir.getParent(), recipe);
    RawNames.sh("mv \"$1/a$(printf '\\377')\" \"$1/a$(printf '\\376')\"", dir.toString());
    BuildResult second = build(store, dir.getParent(), recipe);
    assertEquals(0, second.cachedSteps());
    assertNotEquals(first.config().diffIds(), second.config().diffIds());
  }

  @Test
  void rebuild_timesChangedContentSame_hits() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("a"), "same");
    Store store = Store.open(tmp.resolve("store"));
    String recipe = "FROM scratch\nCOPY a /a\n";
    build(store, ctx, recipe);
    Files.setLastModifiedTime(ctx.resolve("a"), FileTime.fromMillis(123_000));
    Files.writeString(ctx.resolve("a"), "same");
    assertEquals(1, build(store, ctx, recipe).cachedSteps());
  }

  @Test
  void rebuild_sameSizeOtherContent_misses() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("a"), "1234");
    Store store = Store.open(tmp.resolve("store"));
    String recipe = "FROM scratch\nCOPY a /a\n";
    BuildResult first = build(store, ctx, recipe);
    FileTime mtime = Files.getLastModifiedTime(ctx.resolve("a"));
    Files.writeString(ctx.resolve("a"), "abcd");
    Files.setLastModifiedTime(ctx.resolve("a"), mtime); // ctime still tells
    BuildResult second = build(store, ctx, recipe);
    assertEquals(0, second.cachedSteps());
    assertNotEquals(first.config().diffIds(), second.config().diffIds());
  }

  @Test
  void memo_oldFiles_learnedOnTheWriteAndReused() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("a"), "alpha");
    Files.writeString(ctx.resolve("b"), "beta");
    // Files changed within the last 2 seconds are "racy" and never remembered.
    Thread.sleep(3000);
    Store store = Store.open(tmp.resolve("store"));
    String recipe = "FROM scratch\nCOPY a b /x/\n";
    build(store, ctx, recipe);
    FileDigests memo =
        FileDigests.forContext(store.cacheDir().resolve("digests"), ctx.toRealPath());
    var stamp = dev.lamina.builder.context.FileStamp.of(ctx.resolve("a"));
    assertEquals(Digest.sha256("alpha").hex(), memo.knownHex("a", stamp),
        "the digest was taken from the bytes the layer write read");
    assertEquals(1, build(store, ctx, recipe).cachedSteps());
  }

  /**
   * A cached rebuild reads none of the files the memo knows (it only describes them), while a
   * rebuild whose layer is written again reads them all (read ahead, their digests not taken
   * again) and gets every byte right. Reads are counted by the kernel ({@code rchar} in {@code
   * /proc/self/io}): the store's own small files are far below the context's two megabytes.
   */
  @Test
  void cachedRebuild_readsNoKnownFile_rewriteReadsThemAll() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Path dir = Files.createDirectories(ctx.resolve("dir"));
    java.util.Random random = new java.util.Random(7);
    for (int i = 0; i < 40; i++) {
      byte[] bytes = new byte[50_000];
      random.nextBytes(bytes);
      Files.write(dir.resolve("f" + i), bytes);
    }
    Thread.sleep(3000); // older than the racy window, so that the memo keeps them
    Store store = Store.open(tmp.resolve("store"));
    String recipe = "FROM scratch\nCOPY dir /d\nCOPY dir /e\n";
    build(store, ctx, recipe);

    long before = ProcessIo.bytesRead();
    assertEquals(2, build(store, ctx, recipe).cachedSteps());
    long cachedRead = ProcessIo.bytesRead() - before;
    assertTrue(cachedRead < 1_000_000, "a cached rebuild read " + cachedRead + " bytes");

    // Changed in place, same size: the first COPY's layer is written again from all 40 files.
    byte[] changed = Files.readAllBytes(dir.resolve("f7"));
    changed[0] ^= 1;
    Files.write(dir.resolve("f7"), changed);
    build(store, ctx, "FROM scratch\nCOPY dir /d\n");
    ImageDetails d = store.images().inspect("test");
    Path layer = ExtractedLayers.of(store)
        .ensure(d.manifest().layers().get(0), d.config().diffIds().get(0));
    for (int i = 0; i < 40; i++) {
      assertArrayEquals(Files.readAllBytes(dir.resolve("f" + i)),
          Files.readAllBytes(layer.resolve("d/f" + i)), "f" + i);
    }
  }


  /**
   * A walk reads no xattrs of a file the memo knows unchanged and without any: setting or
   * removing one moves the file's change time, so the next build still sees it.
   */
  @Test
  void rebuild_xattrSetOrRemoved_misses() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Path a = Files.writeString(Files.createDirectories(ctx.resolve("dir")).resolve("a"), "a");
    Files.writeString(ctx.resolve("dir/b"), "b");
    Thread.sleep(3000); // older than the racy window, so that the memo keeps them
    Store store = Store.open(tmp.resolve("store"));
    String recipe = "FROM scratch\nCOPY dir /d\n";
    BuildResult plain = build(store, ctx, recipe);
    assertEquals(1, build(store, ctx, recipe).cachedSteps(), "known without xattrs: a hit");
    try {
      dev.lamina.layerfs.posix.Posix.lsetxattr(a, "user.note", "x".getBytes());
    } catch (IOException e) {
      dev.lamina.layerfs.testing.Requirements.require(false,
          "user xattrs on " + tmp + " (" + e.getMessage() + ")");
    }
    BuildResult withXattr = build(store, ctx, recipe);
    assertEquals(0, withXattr.cachedSteps(), "an xattr set since is seen");
    assertNotEquals(plain.config().diffIds(), withXattr.config().diffIds());
    dev.lamina.layerfs.posix.Posix.lremovexattr(a, "user.note");
    BuildResult removed = build(store, ctx, recipe);
    assertEquals(plain.config().diffIds(), removed.config().diffIds(), "and its removal");
  }

  @Test
  void overlappingSources_laterWins_rebuildHits() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.createDirectories(ctx.resolve("one"));
    Files.createDirectories(ctx.resolve("two"));
    Files.writeString(ctx.resolve("one/f"), "from one");
    Files.writeString(ctx.resolve("two/f"), "from two");
    Store store = Store.open(tmp.resolve("store"));
    String recipe = "FROM scratch\nCOPY one two /x/\n";
    build(store, ctx, recipe);
    ImageDetails d = store.images().inspect("test");
    Path layer = ExtractedLayers.of(store)
        .ensure(d.manifest().layers().get(0), d.config().diffIds().get(0));
    assertEquals("from two", Files.readString(layer.resolve("x/f")));
    assertEquals(1, build(store, ctx, recipe).cachedSteps());
    Files.writeString(ctx.resolve("one/f"), "changed!");
    assertEquals(0, build(store, ctx, recipe).cachedSteps(),
        "a file the layer did not keep still keys the step");
  }

  @Test
  void noCache_runsEveryStepAndGivesTheSameLayers() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("a"), "a");
    Store store = Store.open(tmp.resolve("store"));
    String recipe = "FROM scratch\nCOPY a /a\nCOPY a /b\n";
    BuildResult first = build(store, ctx, recipe);
    BuildResult again = build(store, ctx, recipe, true);
    assertEquals(0, again.cachedSteps());
    assertEquals(first.config().diffIds(), again.config().diffIds());
    assertEquals(2, build(store, ctx, recipe).cachedSteps());
  }

  @Test
  void manyFiles_onlyTheStepsThatReadAChangedFileRerun() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    List<String> lines = new ArrayList<>(List.of("FROM scratch"));
    for (int i = 0; i < 5; i++) {
      Files.createDirectories(ctx.resolve("d" + i));
      for (int j = 0; j < 20; j++) {
        Files.writeString(ctx.resolve("d" + i + "/f" + j), i + "/" + j);
      }
      lines.add("COPY d" + i + " /d" + i);
    }
    String recipe = String.join("\n", lines);
    Store store = Store.open(tmp.resolve("store"));
    build(store, ctx, recipe);
    assertEquals(5, build(store, ctx, recipe).cachedSteps());
    Files.writeString(ctx.resolve("d3/f7"), "changed");
    BuildResult third = build(store, ctx, recipe);
    assertEquals(3, third.cachedSteps(), "COPY d3 and the step on top of it rerun");
    assertTrue(third.steps() >= 5);
  }

  @Test
  void fullyCachedRebuild_keepsTheImageId_andAChangedFileGetsANewTime() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("a"), "a");
    Files.writeString(ctx.resolve("b"), "b");
    Store store = Store.open(tmp.resolve("store"));
    String recipe = "FROM scratch\nCOPY a /a\nLABEL x=y\nCOPY b /b\nCMD [\"/a\"]\n";
    BuildResult first = build(store, ctx, recipe);
    String made = first.config().created();
    for (ImageConfig.History h : first.config().history()) {
      assertEquals(made, h.created(), "one build, one time: " + h);
    }
    // Build times have whole seconds: a rebuild in a later second would show a restamping.
    Thread.sleep(1100);
    BuildResult again = build(store, ctx, recipe);
    assertEquals(2, again.cachedSteps());
    assertEquals(first.imageId(), again.imageId(), "a rebuild hitting every step is the same image");

    Thread.sleep(1100);
    Files.writeString(ctx.resolve("b"), "changed");
    BuildResult third = build(store, ctx, recipe);
    assertNotEquals(first.imageId(), third.imageId());
    List<ImageConfig.History> h = third.config().history();
    assertEquals(made, h.get(0).created(), "the cached COPY keeps the time it was made");
    String rebuilt = h.get(2).created();
    assertTrue(Instant.parse(rebuilt).isAfter(Instant.parse(made)), rebuilt);
    assertEquals(rebuilt, h.get(1).created(), "a step without a layer takes the newest layer time");
    assertEquals(rebuilt, h.get(3).created());
    assertEquals(rebuilt, third.config().created());
  }

  @Test
  void metadataOnlyBuild_onAStoredImage_takesItsTime_andRebuildsToTheSameId() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("a"), "a");
    Store store = Store.open(tmp.resolve("store"));
    Builder.build(store,
        BuildOptions.builder(ctx).recipeText("FROM scratch\nCOPY a /a\n").tag("base").build(),
        Progress.quiet());
    ImageConfig base = store.images().inspect("base").config();
    String recipe = "FROM base\nLABEL x=y\nENV A=b\n";
    BuildResult first = build(store, ctx, recipe);
    assertEquals(base.created(), first.config().created());
    assertEquals(base.history().get(0), first.config().history().get(0), "base history untouched");
    Thread.sleep(1100);
    BuildResult again = build(store, ctx, recipe);
    assertEquals(first.config(), again.config());
    assertEquals(first.imageId(), again.imageId());
  }

  @Test
  void sourceDateEpoch_stampsEveryEntry_andKeysTheCache() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("a"), "a");
    Store store = Store.open(tmp.resolve("store"));
    String recipe = "FROM scratch\nCOPY a /a\nLABEL x=y\n";
    build(store, ctx, recipe);
    BuildOptions epoch = BuildOptions.builder(ctx).recipeText(recipe).tag("test")
        .buildArg("SOURCE_DATE_EPOCH", "86400").build();
    BuildResult fixed = Builder.build(store, epoch, Progress.quiet());
    // The layer cached by the first build kept the file's time: it is not this build's layer.
    assertEquals(0, fixed.cachedSteps());
    BuildResult again = Builder.build(store, epoch, Progress.quiet());
    assertEquals(1, again.cachedSteps());
    assertEquals(fixed.imageId(), again.imageId());
    for (BuildResult r : List.of(fixed, again)) {
      assertEquals("1970-01-02T00:00:00Z", r.config().created());
      for (ImageConfig.History h : r.config().history()) {
        assertEquals("1970-01-02T00:00:00Z", h.created());
      }
    }
    BuildResult other = Builder.build(store, BuildOptions.builder(ctx).recipeText(recipe)
        .tag("test").buildArg("SOURCE_DATE_EPOCH", "172800").build(), Progress.quiet());
    assertEquals(0, other.cachedSteps(), "another epoch, another layer");
  }
}
