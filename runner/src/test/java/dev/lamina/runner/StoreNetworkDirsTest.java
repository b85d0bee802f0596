package dev.lamina.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.runner.network.NetworkDefaults;
import dev.lamina.runner.testing.TestNetworks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stores' run-time network directories: those of removed stores go when another store's is
 * made, those of stores that exist (running or idle) and those that cannot be mapped back to a
 * store stay, and a sweep never deletes one a store is pinning a namespace in.
 */
class StoreNetworkDirsTest {
  @TempDir Path tmp;
  private NetworkDefaults defaults;

  @BeforeEach
  void setUp() {
    defaults = TestNetworks.isolated("sn", "10.233.0.0/24", tmp.resolve("networks"));
  }

  /** The directory of the store at {@code root}, made as a container's start makes it. */
  private Path made(Path root) throws Exception {
    Path dir = defaults.directories().store(root);
    StoreNetworkDirs.pinning(dir, root, () -> {
      Files.createDirectories(dir.resolve("netns"));
      Files.createDirectories(dir.resolve("attachments"));
      return null;
    });
    return dir;
  }

  private Path store(String name) throws Exception {
    return Files.createDirectories(tmp.resolve(name).resolve("containers")).getParent();
  }

  @Test
  void removedStoresGo_existingOnesAndUnmappableOnesStay() throws Exception {
    Path removed = store("removed");
    Path removedDir = made(removed);
    Path idleDir = made(store("idle"));
    Path mine = store("mine");
    Path myDir = defaults.directories().store(mine);
    // A marker that names a path whose directory this is not: it cannot be judged.
    Path foreign = Files.createDirectories(myDir.resolveSibling("0123456789abcdef"));
    Files.writeString(foreign.resolve("store"), tmp.resolve("nowhere").toString());
    // Without a marker, but holding something (an older version's, perhaps live).
    Path unmarked = Files.createDirectories(myDir.resolveSibling("fedcba9876543210"));
    Files.writeString(unmarked.resolve("x"), "x");
    Files.setLastModifiedTime(unmarked, FileTime.from(Instant.now().minusSeconds(3600)));
    dev.lamina.layerfs.store.Trees.deleteRecursively(removed);

    assertTrue(StoreNetworkDirs.pinning(myDir, mine, () -> null), "made now");
    assertEquals(List.of(removedDir), StoreNetworkDirs.removeLeftOver(myDir, defaults));

    assertFalse(Files.exists(removedDir));
    assertTrue(Files.isDirectory(idleDir), "an idle store's directory was deleted");
    assertTrue(Files.isDirectory(myDir));
    assertTrue(Files.isDirectory(foreign));
    assertTrue(Files.isDirectory(unmarked));
    assertEquals(mine.toString(),
        Files.readString(myDir.resolve("store"), StandardCharsets.UTF_8));
    assertFalse(StoreNetworkDirs.pinning(myDir, mine, () -> null), "made before");
  }

  /**
   * A store made again at a removed store's path, pinning a namespace while a sweep runs: the
   * sweep waits for the pin, then finds the store there and keeps its directory.
   */
  @Test
  void sweepWaitsForAPin_andKeepsTheDirectoryOfAStoreMadeMeanwhile() throws Exception {
    Path again = tmp.resolve("again");
    Path dir = made(store("again"));
    dev.lamina.layerfs.store.Trees.deleteRecursively(again);
    Path other = defaults.directories().store(tmp.resolve("other"));
    AtomicReference<List<Path>> swept = new AtomicReference<>();
    Thread sweep = new Thread(() -> swept.set(StoreNetworkDirs.removeLeftOver(other, defaults)));

    StoreNetworkDirs.pinning(dir, again, () -> {
      sweep.start();
      // Until it waits for the lock (or, were there none, has finished).
      while (sweep.getState() != Thread.State.WAITING && sweep.isAlive()) {
        Thread.onSpinWait();
      }
      // The store is made again, and its container pins its namespace, while the sweep waits.
      Files.createDirectories(again.resolve("containers"));
      Files.createDirectories(dir.resolve("netns"));
      Files.createFile(dir.resolve("netns/" + "a".repeat(64)));
      return null;
    });
    sweep.join();
    assertEquals(List.of(), swept.get());
    assertTrue(Files.exists(dir.resolve("netns/" + "a".repeat(64))));
  }
}
