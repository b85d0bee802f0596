package dev.lamina.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new store's run-time directory is made with its store's name, and the directories of removed
 * stores beside it go; nothing that may belong to a live store does.
 */
class StoreRunDirsTest {
  @TempDir Path tmp;

  @Test
  void newStoresDirectory_removesThoseOfRemovedStores_keepsEverythingElse() throws Exception {
    Path run = Files.createDirectories(tmp.resolve("run"));
    Path live = Files.createDirectories(tmp.resolve("live/containers")).getParent();
    Path gone = tmp.resolve("gone");
    Path ofLive = storeDir(run, "00000000000000a1", live);
    Path ofGone = storeDir(run, "00000000000000a2", gone);
    Files.writeString(ofGone.resolve("exits/" + "c".repeat(64)), "0");
    // Without a marker (an older version's): empty directories only, old, go; with a file, stay.
    Path oldEmpty = Files.createDirectories(run.resolve("00000000000000a3/exits"));
    Path oldWithExit = Files.createDirectories(run.resolve("00000000000000a4/exits"));
    Files.writeString(oldWithExit.resolve("d".repeat(64)), "0");
    Path newEmpty = Files.createDirectories(run.resolve("00000000000000a5/attach")).getParent();
    Path networks = Files.createDirectories(run.resolve("networks/leases"));
    for (Path d : new Path[] {oldEmpty.getParent(), oldWithExit.getParent()}) {
      Files.setLastModifiedTime(d, FileTime.from(Instant.now().minusSeconds(3600)));
    }

    Path mine = run.resolve("00000000000000b0");
    Path store = tmp.resolve("mine");
    StoreRunDirs.ensure(mine, store);

    assertEquals(store.toString(), Files.readString(mine.resolve(StoreRunDirs.MARKER)));
    assertFalse(Files.exists(ofGone), "a removed store's");
    assertFalse(Files.exists(oldEmpty.getParent()), "an old, empty one without a marker");
    assertTrue(Files.isDirectory(ofLive), "a live store's");
    assertTrue(Files.exists(oldWithExit), "one without a marker holding an exit code");
    assertTrue(Files.isDirectory(newEmpty), "one without a marker made a moment ago");
    assertTrue(Files.isDirectory(networks), "what is not a store's");

    // Existing: nothing more is done, not even a look at the others.
    Path ofGoneAgain = storeDir(run, "00000000000000a6", gone);
    StoreRunDirs.ensure(mine, store);
    assertTrue(Files.isDirectory(ofGoneAgain));
  }

  private static Path storeDir(Path run, String name, Path store) throws Exception {
    Path d = Files.createDirectories(run.resolve(name).resolve("exits")).getParent();
    Files.write(d.resolve(StoreRunDirs.MARKER), store.toString().getBytes(StandardCharsets.UTF_8));
    return d;
  }
}
