package dev.lamina.builder.context;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.lamina.layerfs.digest.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The digest memo on disk: what builds learn is merged in, found again in any order. */
class FileDigestsTest {
  @TempDir Path tmp;

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
    try (Stream<Path> left = Files.list(memos)) {
      assertEquals(1, left.count(), "the spill files are gone");
    }

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
