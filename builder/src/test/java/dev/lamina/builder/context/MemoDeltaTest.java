package dev.lamina.builder.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.LayerWriter;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A save that learned little writes a delta beside the memo and leaves the memo file as it is;
 * readers merge the delta in; a delta grown past its share is compacted into a new memo; a
 * damaged delta, or one a crash left beside a memo that replaced its own, is not read.
 */
class MemoDeltaTest {
  @TempDir Path tmp;

  /** A context and a few more files elsewhere, older than the racy window. */
  @TempDir static Path shared;

  private static Path context;
  private static Path extra;

  @BeforeAll
  static void oldFiles() throws Exception {
    context = Files.createDirectories(shared.resolve("ctx"));
    extra = Files.createDirectories(shared.resolve("extra"));
    Random random = new Random(11);
    for (String dir : List.of("a", "b/deep", "c")) {
      Path d = Files.createDirectories(context.resolve(dir));
      for (int f = 0; f < 20; f++) {
        byte[] bytes = new byte[1 + 31 * f];
        random.nextBytes(bytes);
        Files.write(d.resolve("f" + f), bytes);
      }
    }
    Files.writeString(extra.resolve("one"), "one");
    Files.writeString(extra.resolve("two"), "two");
    Thread.sleep(1000 * (FileDigests.RACY_SECONDS + 1)); // no file is racy for builds from now
  }

  /** A walk of {@code dir}, whose keys start with {@code prefix}, written into a layer. */
  private static void writeLayer(Path dir, String prefix, FileDigests memo) throws Exception {
    LayerWriter.preservingMtimes().writeSorted(
        ContextScanner.walk(dir, prefix, p -> true, memo), OutputStream.nullOutputStream());
  }

  private static List<Path> ending(Path memos, String suffix) throws Exception {
    try (Stream<Path> files = Files.list(memos)) {
      return files.filter(p -> p.toString().endsWith(suffix)).toList();
    }
  }

  private static List<Path> deltas(Path memos) throws Exception {
    return ending(memos, Memo.DELTA_SUFFIX);
  }

  private static List<Path> spills(Path memos) throws Exception {
    return ending(memos, Spill.SUFFIX);
  }

  /** The memo file (the one file that is neither a delta nor a spill). */
  private static Path memoFile(Path memos) throws Exception {
    try (Stream<Path> files = Files.list(memos)) {
      List<Path> found = files.filter(p -> !p.toString().endsWith(Memo.DELTA_SUFFIX)
          && !p.toString().endsWith(Spill.SUFFIX)).toList();
      assertEquals(1, found.size(), "one memo: " + found);
      return found.get(0);
    }
  }

  /** The file's inode, modification time and bytes: what shows whether it was written again. */
  private static List<Object> state(Path file) throws Exception {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return List.of(a.fileKey(), a.lastModifiedTime(), Arrays.toString(Files.readAllBytes(file)));
  }

  private static FileStamp stamp(int i) {
    long old = 1_600_000_000_000_000_000L + i; // long before any build: never "racy"
    return new FileStamp(0100644, 1, i, old, old, 1, 1000 + i, 0);
  }

  private static Digest digest(String key, int version) {
    return Digest.sha256(key + " v" + version);
  }

  private static List<String> keys(int n) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      keys.add("d" + (i % 4) + "/k" + i);
    }
    keys.sort(LayerEntry.PATH_ORDER);
    return keys;
  }

  /** A memo of {@code keys}, each with {@code stamp(i)} and version 1. */
  private Path memoOf(List<String> keys) throws Exception {
    Path memos = tmp.resolve("digests");
    FileDigests first = FileDigests.forContext(memos, context);
    for (int i = 0; i < keys.size(); i++) {
      first.remember(keys.get(i), stamp(i), digest(keys.get(i), 1));
    }
    first.save();
    return memos;
  }

  /**
   * A build that learned two files next to a memo of sixty leaves the memo file as it was
   * (inode, time, bytes) and writes them to a delta; the next build finds them there and reads
   * no file (it learns nothing: no spill), nor writes anything.
   */
  @Test
  void smallSave_writesADelta_leavesTheMemo_nextBuildReadsNoFile() throws Exception {
    Path memos = tmp.resolve("digests");
    FileDigests cold = FileDigests.forContext(memos, context);
    writeLayer(context, "", cold);
    cold.save();
    Path memo = memoFile(memos);
    List<Object> before = state(memo);
    assertEquals(List.of(), deltas(memos));

    FileDigests second = FileDigests.forContext(memos, context);
    writeLayer(context, "", second);
    assertEquals(List.of(), spills(memos), "the context is known: nothing learned");
    writeLayer(extra, "zz/", second); // two files more, under keys of their own
    assertEquals(1, spills(memos).size());
    second.save();
    assertEquals(before, state(memoFile(memos)), "the memo file is not written again");
    List<Path> delta = deltas(memos);
    assertEquals(1, delta.size());
    assertEquals(List.of(), spills(memos));
    List<String> keys = new ArrayList<>();
    try (MemoFile d = MemoFile.open(delta.get(0))) {
      for (var it = d.records(); it.hasNext(); ) {
        keys.add(it.next().key());
      }
    }
    assertEquals(List.of("zz/one", "zz/two"), keys, "only what was learned");

    List<Object> deltaBefore = state(delta.get(0));
    FileDigests third = FileDigests.forContext(memos, context);
    writeLayer(context, "", third);
    writeLayer(extra, "zz/", third);
    assertEquals(List.of(), spills(memos), "the delta's files are known too: none read");
    for (String name : List.of("one", "two")) {
      Path f = extra.resolve(name);
      assertEquals(FileDigests.hash(f).hex(), third.knownHex("zz/" + name, FileStamp.of(f)));
    }
    Path f = context.resolve("b/deep/f3");
    assertEquals(FileDigests.hash(f).hex(), third.knownHex("b/deep/f3", FileStamp.of(f)));
    third.save();
    assertEquals(before, state(memoFile(memos)));
    assertEquals(deltaBefore, state(delta.get(0)), "nothing learned, nothing written");
  }

  /**
   * The files of the delta, learned by a build after they changed, are looked at again first: one
   * with other bytes since (the same size and modification time: only its change time tells) is
   * found; one only touched, one unchanged, or one the caller does not count is not.
   */
  @Test
  void changedAgain_findsADeltaFileWithOtherBytes_notOneTouchedOrLeftOut() throws Exception {
    Path edited = Files.createDirectories(tmp.resolve("edited"));
    for (String name : List.of("one", "two", "three")) {
      Files.writeString(edited.resolve(name), name + " v1");
    }
    Thread.sleep(1000 * (FileDigests.RACY_SECONDS + 1));
    Path memos = tmp.resolve("digests");
    FileDigests cold = FileDigests.forContext(memos, context);
    writeLayer(context, "", cold);
    cold.save();
    FileDigests learning = FileDigests.forContext(memos, context);
    writeLayer(edited, "e/", learning);
    learning.save();
    assertEquals(1, deltas(memos).size(), "the edited files are the delta's");
    Function<String, Path> all =
        key -> key.startsWith("e/") ? edited.resolve(key.substring(2)) : null;

    assertFalse(changedAgain(memos, all), "nothing changed");
    Files.writeString(edited.resolve("two"), "two v1"); // the same bytes, another stamp
    assertFalse(changedAgain(memos, all), "touched only");
    Path one = edited.resolve("one");
    FileTime mtime = Files.getLastModifiedTime(one);
    Files.writeString(one, "one v2");
    Files.setLastModifiedTime(one, mtime);
    assertTrue(changedAgain(memos, all), "other bytes");
    assertFalse(changedAgain(memos, key -> key.equals("e/one") ? null : all.apply(key)),
        "a file not counted");
    assertFalse(FileDigests.uncached().changedAgain(all, Instant.EPOCH), "no memo: nothing known");
    try (FileDigests digests = FileDigests.forContext(memos, context)) {
      assertFalse(digests.changedAgain(all, Instant.now().plusSeconds(1)),
          "changed before the time given: seen then");
    }
  }

  private static boolean changedAgain(Path memos, Function<String, Path> fileOf)
      throws Exception {
    try (FileDigests digests = FileDigests.forContext(memos, context)) {
      return digests.changedAgain(fileOf, Instant.EPOCH);
    }
  }

  /**
   * A record learned later replaces one learned earlier, whether the earlier one is in the memo
   * or in the delta; the memo stays as it was.
   */
  @Test
  void newerDeltaRecord_replacesTheOlderOne() throws Exception {
    List<String> keys = keys(100);
    Path memos = memoOf(keys);
    List<Object> before = state(memoFile(memos));
    String k5 = keys.get(5);
    String k7 = keys.get(7);

    FileDigests second = FileDigests.forContext(memos, context);
    second.remember(k5, stamp(500), digest(k5, 2));
    second.remember(k7, stamp(700), digest(k7, 2));
    second.save();
    FileDigests third = FileDigests.forContext(memos, context);
    assertEquals(digest(k5, 2).hex(), third.knownHex(k5, stamp(500)));
    third.remember(k5, stamp(600), digest(k5, 3));
    third.save();
    assertEquals(before, state(memoFile(memos)));
    assertEquals(1, deltas(memos).size());

    FileDigests fourth = FileDigests.forContext(memos, context);
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      if (i == 5) {
        assertEquals(digest(key, 3).hex(), fourth.knownHex(key, stamp(600)), key);
        assertNull(fourth.knownHex(key, stamp(500)), "the delta's older record replaced");
        assertNull(fourth.knownHex(key, stamp(5)), "the memo's record replaced");
      } else if (i == 7) {
        assertEquals(digest(key, 2).hex(), fourth.knownHex(key, stamp(700)), key);
        assertNull(fourth.knownHex(key, stamp(7)), "the memo's record replaced");
      } else {
        assertEquals(digest(key, 1).hex(), fourth.knownHex(key, stamp(i)), key);
      }
    }
    fourth.close();
  }

  /**
   * Saves that each learn a little grow the delta until it would pass an eighth of the memo;
   * that save merges memo, delta and what it learned into a new memo and removes the delta,
   * every record right.
   */
  @Test
  void deltaPastItsShare_isCompactedIntoOneMemo() throws Exception {
    List<String> keys = keys(80);
    Path memos = memoOf(keys);
    Object memoInode = state(memoFile(memos)).get(0);
    int builds = 0;
    while (memoInode.equals(state(memoFile(memos)).get(0))) {
      assertTrue(builds < 80 / Memo.DELTA_SHARE, "compacted by now: " + builds);
      FileDigests next = FileDigests.forContext(memos, context);
      next.remember("new/n" + builds, stamp(10_000 + builds), digest("new/n" + builds, 1));
      next.remember(keys.get(builds), stamp(20_000 + builds), digest(keys.get(builds), 2));
      next.save();
      builds++;
      if (memoInode.equals(state(memoFile(memos)).get(0))) {
        assertEquals(1, deltas(memos).size(), "after " + builds);
      }
    }
    assertEquals(80 / Memo.DELTA_SHARE / 2 + 1, builds, "the build that would pass the share");
    assertEquals(List.of(), deltas(memos), "compacted: no delta left");
    assertEquals(List.of(), spills(memos));
    long records = 0;
    try (MemoFile m = MemoFile.open(memoFile(memos))) {
      records = m.count();
    }
    assertEquals(80 + builds, records, "every key once");

    FileDigests after = FileDigests.forContext(memos, context);
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      boolean relearned = i < builds;
      assertEquals(digest(key, relearned ? 2 : 1).hex(),
          after.knownHex(key, relearned ? stamp(20_000 + i) : stamp(i)), key);
    }
    for (int b = 0; b < builds; b++) {
      assertEquals(digest("new/n" + b, 1).hex(), after.knownHex("new/n" + b, stamp(10_000 + b)));
    }
    after.close();
  }

  /**
   * A delta cut short, of another format, or whose records cannot be read is not read: the
   * memo's records are found as they are, nothing of the delta; the next save writes a good one.
   */
  @Test
  void damagedDelta_isIgnored() throws Exception {
    List<String> keys = keys(100);
    String k5 = keys.get(5);
    for (String damage : List.of("truncated", "format", "records")) {
      Path memos = memoOf(keys);
      FileDigests second = FileDigests.forContext(memos, context);
      second.remember(k5, stamp(500), digest(k5, 2));
      second.save();
      Path delta = deltas(memos).get(0);
      byte[] bytes = Files.readAllBytes(delta);
      switch (damage) {
        case "truncated" -> bytes = Arrays.copyOf(bytes, bytes.length - 7);
        case "format" -> bytes[bytes.length - 1] ^= 1;
        default -> Arrays.fill(bytes, 4, 4 + 2 + k5.length() + 9, (byte) 0xff);
      }
      Files.write(delta, bytes);

      FileDigests third = FileDigests.forContext(memos, context);
      assertNull(third.knownHex(k5, stamp(500)), damage);
      assertEquals(digest(k5, 1).hex(), third.knownHex(k5, stamp(5)), damage);
      assertEquals(digest(keys.get(6), 1).hex(), third.knownHex(keys.get(6), stamp(6)), damage);
      third.remember(k5, stamp(600), digest(k5, 3));
      third.save();
      FileDigests fourth = FileDigests.forContext(memos, context);
      assertEquals(digest(k5, 3).hex(), fourth.knownHex(k5, stamp(600)), damage);
      assertEquals(digest(keys.get(6), 1).hex(), fourth.knownHex(keys.get(6), stamp(6)), damage);
      fourth.close();
      try (Stream<Path> all = Files.walk(memos)) {
        for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  /**
   * A crash in a compaction after the new memo was renamed into place but before the old delta
   * was removed leaves the new knowledge, never the old delta's records over the new memo's;
   * the stale delta is swept a day later, the current one never.
   */
  @Test
  void crashBetweenCompactionSteps_readsTheNewMemoAlone() throws Exception {
    List<String> keys = keys(80);
    String k5 = keys.get(5);
    Path memos = memoOf(keys);
    FileDigests second = FileDigests.forContext(memos, context);
    second.remember(k5, stamp(500), digest(k5, 2));
    second.save();
    Path oldDelta = deltas(memos).get(0);
    Path kept = tmp.resolve("kept-delta");
    Files.copy(oldDelta, kept);

    FileDigests compacting = FileDigests.forContext(memos, context);
    compacting.remember(k5, stamp(600), digest(k5, 3));
    for (int i = 0; i < 20; i++) {
      compacting.remember("new/n" + i, stamp(10_000 + i), digest("new/n" + i, 1));
    }
    compacting.save();
    assertEquals(List.of(), deltas(memos), "compacted");
    Files.copy(kept, oldDelta, StandardCopyOption.COPY_ATTRIBUTES); // as if never removed

    FileDigests after = FileDigests.forContext(memos, context);
    assertEquals(digest(k5, 3).hex(), after.knownHex(k5, stamp(600)), "the new memo's record");
    assertNull(after.knownHex(k5, stamp(500)), "not the old delta's");
    assertEquals(digest("new/n3", 1).hex(), after.knownHex("new/n3", stamp(10_003)));
    assertEquals(digest(keys.get(6), 1).hex(), after.knownHex(keys.get(6), stamp(6)));
    // A save next to the new memo writes its own delta; the stale one stays unread.
    after.remember(keys.get(6), stamp(606), digest(keys.get(6), 2));
    after.save();
    List<Path> both = deltas(memos);
    assertEquals(2, both.size());
    Path current = both.get(0).equals(oldDelta) ? both.get(1) : both.get(0);
    FileDigests next = FileDigests.forContext(memos, context);
    assertEquals(digest(k5, 3).hex(), next.knownHex(k5, stamp(600)));
    assertEquals(digest(keys.get(6), 2).hex(), next.knownHex(keys.get(6), stamp(606)));
    next.close();

    // A save killed before its rename leaves its temporary file: swept a day later too.
    Path cut = memos.resolve("." + memoFile(memos).getFileName() + ".tmp-1-2-3");
    Files.writeString(cut, "half a delta");
    FileTime twoDaysAgo = FileTime.from(Instant.now().minus(Duration.ofDays(2)));
    Files.setLastModifiedTime(oldDelta, twoDaysAgo);
    Files.setLastModifiedTime(current, twoDaysAgo);
    FileDigests.forContext(memos, context).close();
    assertTrue(Files.exists(cut), "a day may not have passed over a running build's");
    Files.setLastModifiedTime(cut, twoDaysAgo);
    FileDigests.forContext(memos, context).close();
    assertEquals(List.of(current), deltas(memos), "the stale delta swept, the current kept");
    assertTrue(Files.notExists(cut));
  }

  /**
   * A memo replaced while a build opens it (another build's save) is opened again: its delta is
   * the new memo's, never taken for the old one's.
   */
  @Test
  void deltaNamedForItsMemo_aReplacedMemoHasNone() throws Exception {
    List<String> keys = keys(100);
    Path memos = memoOf(keys);
    Path memo = memoFile(memos);
    Path delta = Memo.deltaOf(memo, FileStamp.of(memo));
    FileDigests second = FileDigests.forContext(memos, context);
    second.remember(keys.get(1), stamp(101), digest(keys.get(1), 2));
    second.save();
    assertEquals(List.of(delta), deltas(memos), "named for the memo's identity");
    // The same bytes in another file (a memo written again): the delta is not its own.
    Path copy = tmp.resolve("copy");
    Files.copy(memo, copy);
    Files.move(copy, memo, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    assertNotEquals(delta, Memo.deltaOf(memo, FileStamp.of(memo)));
    FileDigests third = FileDigests.forContext(memos, context);
    assertNull(third.knownHex(keys.get(1), stamp(101)));
    assertEquals(digest(keys.get(1), 1).hex(), third.knownHex(keys.get(1), stamp(1)));
    third.close();
  }

  /**
   * Two builds that each learned a little save at once: one delta, whole; every record it gives
   * is right, and the one saved last is found.
   */
  @Test
  void twoSmallSavesAtOnce_leaveOneWholeDelta() throws Exception {
    List<String> keys = keys(100);
    Path memos = memoOf(keys);
    List<Object> before = state(memoFile(memos));
    FileDigests one = FileDigests.forContext(memos, context);
    FileDigests two = FileDigests.forContext(memos, context);
    for (int i = 0; i < 5; i++) {
      one.remember(keys.get(i), stamp(100 + i), digest(keys.get(i), 2));
      two.remember(keys.get(i + 3), stamp(200 + i + 3), digest(keys.get(i + 3), 3));
    }
    Thread other = new Thread(() -> {
      try {
        two.save();
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    other.start();
    one.save();
    other.join();
    assertEquals(before, state(memoFile(memos)));
    assertEquals(1, deltas(memos).size());
    assertEquals(List.of(), spills(memos));
    FileDigests next = FileDigests.forContext(memos, context);
    int found = 0;
    for (int i = 0; i < 8; i++) {
      String key = keys.get(i);
      String v1 = next.knownHex(key, stamp(i));
      String v2 = next.knownHex(key, stamp(100 + i));
      String v3 = next.knownHex(key, stamp(200 + i));
      for (String[] seen : new String[][] {{v1, digest(key, 1).hex()},
          {v2, digest(key, 2).hex()}, {v3, digest(key, 3).hex()}}) {
        assertTrue(seen[0] == null || seen[0].equals(seen[1]), key + ": " + seen[0]);
        found += seen[0] == null ? 0 : 1;
      }
    }
    assertEquals(8, found, "each key known once, by one of the saves or the memo");
    next.close();
  }
}
