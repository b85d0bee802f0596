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
}
