package dev.lamina.builder.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.tar.DirectoryScanner;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.LayerWriter;
import dev.lamina.layerfs.tar.ReadAhead;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The digest memo on disk: what builds learn is merged in, found again in any order. */
class FileDigestsTest {
  @TempDir Path tmp;

  /** A context whose files are older than the racy window, made once for the walk tests. */
  @TempDir static Path shared;

  private static Path context;

  @BeforeAll
  static void oldContext() throws Exception {
    context = Files.createDirectories(shared.resolve("ctx"));
    Random random = new Random(7);
    for (String dir : List.of("a", "b/deep", "b/deep/er", "c")) {
      Path d = Files.createDirectories(context.resolve(dir));
      for (int f = 0; f < 40; f++) {
        // Small ones read ahead, larger ones streamed by the write: learned on several threads.
        byte[] bytes = new byte[f % 7 == 3 ? ReadAhead.MAX_FILE + 1 + f : 1 + 97 * f];
        random.nextBytes(bytes);
        Files.write(d.resolve("f" + f), bytes);
      }
    }
    Files.createDirectories(shared.resolve("racy"));
    Files.writeString(shared.resolve("racy/old"), "old");
    Thread.sleep(1000 * (FileDigests.RACY_SECONDS + 1)); // no file is racy for builds from now
  }

  /** A cold build's walk of {@code dir}: its entries streamed into a layer as a COPY writes it. */
  private static void writeLayer(Path dir, FileDigests memo) throws Exception {
    LayerWriter.preservingMtimes().writeSorted(
        ContextScanner.walk(dir, "", p -> true, memo), OutputStream.nullOutputStream());
  }

  private static List<Path> spills(Path memos) throws Exception {
    if (!Files.isDirectory(memos)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(memos)) {
      return files.filter(p -> p.toString().endsWith(Spill.SUFFIX)).toList();
    }
  }

  private static Object inode(Path p) throws Exception {
    return Files.readAttributes(p, BasicFileAttributes.class).fileKey();
  }

  /** The only memo in {@code memos}. */
  private static Path memoIn(Path memos) throws Exception {
    try (Stream<Path> files = Files.list(memos)) {
      List<Path> all = files.toList();
      assertEquals(1, all.size(), "one memo, no spill left: " + all);
      return all.get(0);
    }
  }

  /** Every regular file of the context, by key, in key order. */
  private static List<String> fileKeys(Path dir) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString())
          .sorted(LayerEntry.PATH_ORDER)
          .toList();
    }
  }

  /**
   * A cold build learns every digest in walk order into one spill, which becomes the memo as it
   * stands: no merge, yet the very bytes the merge of the same records gives; the next build of
   * the same context then reads no file.
   */
  @Test
  void coldWalk_spillIsTheMemo_sameAsTheMerge_nextBuildReadsNoFile() throws Exception {
    Path memos = tmp.resolve("digests");
    FileDigests cold = FileDigests.forContext(memos, context);
    writeLayer(context, cold);
    List<Path> spilled = spills(memos);
    assertEquals(1, spilled.size(), "learned on several threads, spilled by the walk alone");
    Object spillInode = inode(spilled.get(0));
    cold.save();
    Path memoFile = memoIn(memos);
    assertEquals(spillInode, inode(memoFile), "the spill renamed into place, not merged");

    // What the merge makes of the same records, learned out of order on other threads.
    List<String> keys = fileKeys(context);
    Path merged = tmp.resolve("merged");
    FileDigests other = FileDigests.forContext(merged, context);
    List<String> shuffled = new ArrayList<>(keys);
    Collections.shuffle(shuffled, new Random(3));
    Thread[] threads = new Thread[3];
    for (int t = 0; t < threads.length; t++) {
      int part = t;
      threads[t] = new Thread(() -> {
        for (int i = part; i < shuffled.size(); i += threads.length) {
          Path f = context.resolve(shuffled.get(i));
          try {
            other.remember(shuffled.get(i), FileStamp.of(f), FileDigests.hash(f),
                DirectoryScanner.xattrs(f).isEmpty());
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
        }
      });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    other.save();
    assertArrayEquals(Files.readAllBytes(memoIn(merged)), Files.readAllBytes(memoFile));
    assertEquals(Files.getPosixFilePermissions(memoIn(merged)),
        Files.getPosixFilePermissions(memoFile), "renamed or merged, the memo has one mode");

    FileDigests warm = FileDigests.forContext(memos, context);
    writeLayer(context, warm);
    assertEquals(List.of(), spills(memos), "the next build learned nothing: it read no file");
    for (String key : keys) {
      Path f = context.resolve(key);
      assertEquals(FileDigests.hash(f).hex(), warm.knownHex(key, FileStamp.of(f)), key);
    }
    warm.save();
    assertEquals(spillInode, inode(memoIn(memos)), "and left the memo as it was");
  }

  /**
   * An old memo none of whose records still holds (every file changed since) is replaced by the
   * cold walk's spill; one with a record the build never looked at (a file other builds copy)
   * is merged, and keeps it.
   */
  @Test
  void oldMemo_allOutdated_isReplaced_partlyUnseen_isMerged() throws Exception {
    Path memos = tmp.resolve("digests");
    List<String> keys = fileKeys(context);
    FileDigests old = FileDigests.forContext(memos, context);
    for (int i = 0; i < keys.size(); i++) {
      old.remember(keys.get(i), stamp(i), digest(keys.get(i), 1)); // stamps the files lost
    }
    old.save();

    FileDigests cold = FileDigests.forContext(memos, context);
    writeLayer(context, cold);
    Object spillInode = inode(spills(memos).get(0));
    cold.save();
    assertEquals(spillInode, inode(memoIn(memos)), "nothing old kept: the spill is the memo");

    FileDigests unseen = FileDigests.forContext(memos, context);
    unseen.remember("zz/elsewhere", stamp(1), digest("zz/elsewhere", 1));
    unseen.save();
    FileDigests partial = FileDigests.forContext(memos, context);
    writeLayer(context.resolve("a"), partial); // learns nothing new: all known...
    partial.remember("a/new", stamp(2), digest("a/new", 1)); // ...but one file
    partial.save();
    FileDigests after = FileDigests.forContext(memos, context);
    assertEquals(digest("zz/elsewhere", 1).hex(), after.knownHex("zz/elsewhere", stamp(1)));
    assertEquals(digest("a/new", 1).hex(), after.knownHex("a/new", stamp(2)));
    Path f = context.resolve("c/f5");
    assertEquals(FileDigests.hash(f).hex(), after.knownHex("c/f5", FileStamp.of(f)));
    after.close();
  }

  /**
   * A digest learned after the walk moved past its file (here: the file is read only once the
   * walk is over) is still remembered, and lands in its place in the memo.
   */
  @Test
  void digestLearnedAfterTheWalkMovedOn_isRememberedInItsPlace() throws Exception {
    Path memos = tmp.resolve("digests");
    FileDigests memo = FileDigests.forContext(memos, context);
    List<ContextFile> late = new ArrayList<>();
    for (LayerEntry e : ContextScanner.walk(context, "", p -> true, memo)) {
      if (e.content() instanceof ContextFile f && f.knownHex() == null) {
        late.add(f); // larger files: not read ahead, and no write reads them during the walk
      }
    }
    assertTrue(late.size() > 10, "some files are left to be read late: " + late.size());
    Collections.reverse(late);
    for (ContextFile f : late) {
      f.hex();
    }
    memo.save();
    MemoFile saved = MemoFile.open(memoIn(memos));
    List<String> keys = new ArrayList<>();
    for (Iterator<MemoFile.Record> it = saved.records(); it.hasNext(); ) {
      keys.add(it.next().key());
    }
    saved.close();
    assertEquals(fileKeys(context), keys, "every file once, in key order");
    FileDigests again = FileDigests.forContext(memos, context);
    for (ContextFile f : late) {
      Path p = context.resolve(f.key());
      assertEquals(FileDigests.hash(p).hex(), again.knownHex(f.key(), FileStamp.of(p)), f.key());
    }
    again.close();
  }

  /**
   * A build that fails (its digests closed without a save) or is killed (not even closed)
   * leaves the old memo as it was; what it spilled is deleted, or swept a day later.
   */
  @Test
  void failedOrKilledBuild_leavesTheOldMemo() throws Exception {
    Path memos = tmp.resolve("digests");
    FileDigests first = FileDigests.forContext(memos, context);
    first.remember("zz/elsewhere", stamp(1), digest("zz/elsewhere", 1));
    first.save();
    Path memoFile = memoIn(memos);
    byte[] before = Files.readAllBytes(memoFile);

    FileDigests failed = FileDigests.forContext(memos, context);
    writeLayer(context, failed);
    assertEquals(1, spills(memos).size());
    failed.close();
    assertArrayEquals(before, Files.readAllBytes(memoFile));
    assertEquals(List.of(), spills(memos), "the failed build's spill deleted");

    FileDigests killed = FileDigests.forContext(memos, context);
    writeLayer(context, killed);
    List<Path> left = spills(memos);
    assertEquals(1, left.size());
    assertArrayEquals(before, Files.readAllBytes(memoFile));
    FileDigests next = FileDigests.forContext(memos, context);
    assertEquals(digest("zz/elsewhere", 1).hex(), next.knownHex("zz/elsewhere", stamp(1)));
    assertNull(next.knownHex("a/f1", FileStamp.of(context.resolve("a/f1"))));
    next.close();
    assertEquals(left, spills(memos), "a spill of today may be a running build's: kept");
    Files.setLastModifiedTime(left.get(0),
        FileTime.from(Instant.now().minus(java.time.Duration.ofDays(2))));
    FileDigests.forContext(memos, context).close();
    assertEquals(List.of(), spills(memos), "a killed build's spill swept a day later");
    assertArrayEquals(before, Files.readAllBytes(memoFile));
  }

  /** A file changed within the racy window is not remembered, whoever learns its digest. */
  @Test
  void racyFile_notRemembered() throws Exception {
    Path dir = shared.resolve("racy");
    Files.writeString(dir.resolve("new"), "changed just now");
    Path memos = tmp.resolve("digests");
    FileDigests memo = FileDigests.forContext(memos, dir);
    writeLayer(dir, memo);
    memo.save();
    FileDigests next = FileDigests.forContext(memos, dir);
    assertEquals(Digest.sha256("old").hex(),
        next.knownHex("old", FileStamp.of(dir.resolve("old"))));
    assertNull(next.knownHex("new", FileStamp.of(dir.resolve("new"))));
    next.close();
  }

  /**
   * Two builds of the same context at once, each saving what it learned: the memo is the one
   * saved last, whole, and no spill is left.
   */
  @Test
  void twoBuildsAtOnce_leaveOneWholeMemo() throws Exception {
    Path memos = tmp.resolve("digests");
    FileDigests one = FileDigests.forContext(memos, context);
    FileDigests two = FileDigests.forContext(memos, context);
    Thread other = new Thread(() -> {
      try {
        writeLayer(context, two);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    other.start();
    writeLayer(context, one);
    other.join();
    one.save();
    two.save();
    FileDigests next = FileDigests.forContext(memos, context);
    for (String key : fileKeys(context)) {
      Path f = context.resolve(key);
      assertEquals(FileDigests.hash(f).hex(), next.knownHex(key, FileStamp.of(f)), key);
    }
    next.close();
    memoIn(memos);
  }

  private static FileStamp stamp(int i) {
    long old = 1_600_000_000_000_000_000L + i; // long before any build: never "racy"
    return new FileStamp(0100644, 1, i, old, old, 1, 1000 + i, 0);
  }

  private static Digest digest(String key, int version) {
    return Digest.sha256(key + " v" + version);
  }

  @Test
  void learnedInSeveralWalks_mergedSavedAndFoundInAnyOrder() throws Exception {
    Path memos = tmp.resolve("digests");
    Path context = tmp.resolve("ctx");
    List<String> keys = new ArrayList<>();
    for (int d = 0; d < 7; d++) {
      for (int f = 0; f < 300; f++) {
        keys.add("dir" + d + "/f" + f);
      }
      keys.add("dir" + d + "-x"); // sorts after dir<d>'s subtree
    }
    keys.sort(dev.lamina.layerfs.tar.LayerEntry.PATH_ORDER);

    FileDigests first = FileDigests.forContext(memos, context);
    for (int i = 0; i < keys.size(); i++) {
      first.remember(keys.get(i), stamp(i), digest(keys.get(i), 1));
    }
    first.save();

    // A second build: one walk relearns a few files, another (its own run) a few more.
    FileDigests second = FileDigests.forContext(memos, context);
    for (int i = 100; i < 110; i++) {
      second.remember(keys.get(i), stamp(i + 1), digest(keys.get(i), 2));
    }
    for (int i = 5; i < 8; i++) {
      second.remember(keys.get(i), stamp(i + 1), digest(keys.get(i), 2));
    }
    second.save();
    assertEquals(List.of(), spills(memos), "the spill files are gone");

    FileDigests third = FileDigests.forContext(memos, context);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(1));
    for (int i : order) {
      boolean relearned = (i >= 100 && i < 110) || (i >= 5 && i < 8);
      String key = keys.get(i);
      assertEquals(digest(key, relearned ? 2 : 1).hex(),
          third.knownHex(key, stamp(relearned ? i + 1 : i)), key);
      assertNull(third.knownHex(key, stamp(relearned ? i : i + 1)), key + " with another stamp");
    }
    assertNull(third.knownHex("dir3/nothing", stamp(0)));
    assertNull(third.knownHex("", stamp(0)));
    third.close();
  }

  /** Keys of every kind are written and read back as they were: ASCII, '?', text, odd bytes. */
  @Test
  void savedKeys_ofEveryKind_areFoundAgain() throws Exception {
    Path memos = tmp.resolve("digests");
    Path context = tmp.resolve("ctx");
    List<String> keys = new ArrayList<>(List.of("a/plain", "a/what?", "a/caf\u00e9",
        "a/\u65e5\u672c", "a/raw\uDCFF", "a/x\uDCE9?", "a/" + "long".repeat(200)));
    keys.sort(dev.lamina.layerfs.tar.LayerEntry.PATH_ORDER);
    FileDigests first = FileDigests.forContext(memos, context);
    for (int i = 0; i < keys.size(); i++) {
      first.remember(keys.get(i), stamp(i), digest(keys.get(i), 1));
    }
    first.save();
    FileDigests second = FileDigests.forContext(memos, context);
    for (int i = 0; i < keys.size(); i++) {
      assertEquals(digest(keys.get(i), 1).hex(), second.knownHex(keys.get(i), stamp(i)),
          keys.get(i));
    }
    second.close();
  }

  @Test
  void knownHex_inWalkOrder_withGapsRepeatsAndAStepBack() throws Exception {
    Path memos = tmp.resolve("digests");
    Path context = tmp.resolve("ctx");
    List<String> keys = new ArrayList<>();
    for (int f = 0; f < 1000; f++) {
      keys.add("d/f" + f);
    }
    keys.sort(dev.lamina.layerfs.tar.LayerEntry.PATH_ORDER);
    FileDigests first = FileDigests.forContext(memos, context);
    for (int i = 0; i < keys.size(); i++) {
      if (i % 3 != 1) { // every third file unknown
        first.remember(keys.get(i), stamp(i), digest(keys.get(i), 1));
      }
    }
    first.save();

    FileDigests memo = FileDigests.forContext(memos, context);
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      String expected = i % 3 == 1 ? null : digest(key, 1).hex();
      assertEquals(expected, memo.knownHex(key, stamp(i)), key);
      assertEquals(expected, memo.knownHex(key, stamp(i)), key + " asked again");
      if (i % 50 == 49) {
        for (int back = i - 3; back < i; back++) {
          assertEquals(back % 3 == 1 ? null : digest(keys.get(back), 1).hex(),
              memo.knownHex(keys.get(back), stamp(back)), "a step back from " + key);
        }
      }
    }
    memo.close();
  }

  /** The FileStat a walk would see for the stamp of {@link #stamp(int)}. */
  private static dev.lamina.layerfs.posix.FileStat stat(int i, int type) {
    FileStamp s = stamp(i);
    long sec = s.mtimeNanos() / 1_000_000_000L;
    int nanos = (int) (s.mtimeNanos() % 1_000_000_000L);
    return new dev.lamina.layerfs.posix.FileStat(1, s.inode(), type | 0644, 1, 0, 0, s.size(),
        sec, nanos, 0, 0, sec, nanos);
  }

  @Test
  void recall_givesTheDigestsOfFilesKnownUnchangedAndWithoutXattrs() throws Exception {
    Path memos = tmp.resolve("digests");
    Path context = tmp.resolve("ctx");
    FileDigests first = FileDigests.forContext(memos, context);
    first.remember("d/plain", stamp(1), digest("d/plain", 1), true);
    first.remember("d/xattrs", stamp(2), digest("d/xattrs", 1), false);
    first.remember("d/unknown", stamp(3), digest("d/unknown", 1));
    first.remember("d/zchanged", stamp(4), digest("d/zchanged", 1), true);
    first.save();

    FileDigests second = FileDigests.forContext(memos, context);
    int reg = dev.lamina.layerfs.posix.FileStat.S_IFREG;
    Object[] known = second.recall("").recall("d",
        new String[] {"missing", "plain", "unknown", "xattrs", "zchanged"},
        new dev.lamina.layerfs.posix.FileStat[] {
          stat(0, reg), stat(1, reg), stat(3, reg), stat(2, reg), stat(5, reg)});
    assertEquals(java.util.Arrays.asList(null, digest("d/plain", 1).hex(), null, null, null),
        java.util.Arrays.asList(known),
        "only a file recorded without xattrs, with the stamp it has now");
    Object[] below = second.recall("d/").recall("",
        new String[] {"plain"}, new dev.lamina.layerfs.posix.FileStat[] {stat(1, reg)});
    assertEquals(digest("d/plain", 1).hex(), below[0], "keys are the walk's prefix and path");
    assertNull(FileDigests.uncached().recall(""), "no memo, nothing recalled");
    second.close();
  }
}
