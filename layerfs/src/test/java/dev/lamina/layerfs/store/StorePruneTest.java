package dev.lamina.layerfs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.digest.Digest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StorePruneTest {
  @TempDir Path root;
  @TempDir Path work;

  @Test
  void prune_removesOnlyUnreferencedBlobs_andRunsHooks() throws Exception {
    Store store = Store.open(root);
    Path shared = TestImages.gnuTarLayer(work, "shared", "s");
    Path own = TestImages.gnuTarLayer(work, "own", "o");
    var kept = TestImages.imageOf(store, List.of(shared), false, "kept");
    var dropped = TestImages.imageOf(store, List.of(shared, own), false, "dropped");
    // Untag without rmi's own cleanup, as a crashed rmi would leave it.
    store.layout().updateIndex(i -> OciLayout.withoutName(i, "localhost/dropped:latest"));
    Set<Digest> before = new HashSet<>(store.blobs().list());
    AtomicInteger hookRuns = new AtomicInteger();
    StorePrune.Result result =
        store.prune().withHook(s -> {
          hookRuns.incrementAndGet();
          return 7;
        }).run();
    Set<Digest> removed = new HashSet<>(result.removedBlobs());
    Images.ImageDetails d = store.images().inspect("kept");
    assertTrue(store.blobs().exists(d.manifest().layers().get(0).digest()));
    assertTrue(store.blobs().exists(d.manifest().config().digest()));
    assertTrue(store.blobs().exists(kept.digest()));
    assertTrue(removed.contains(dropped.digest()));
    assertEquals(3, removed.size(), "dropped's manifest, config and own layer");
    before.removeAll(removed);
    assertEquals(new HashSet<>(store.blobs().list()), before);
    assertEquals(1, hookRuns.get());
    assertTrue(result.bytesFreed() > 7);
    assertTrue(store.check().run().isClean());
    assertEquals(List.of(), store.prune().run().removedBlobs(), "a second prune finds nothing");
  }

  @Test
  void usage_countsEachPart() throws Exception {
    Store store = Store.open(root);
    TestImages.image(store, work, "a", "f", "1");
    Files.createDirectories(store.volumesDir().resolve("v1/_data"));
    Files.writeString(store.volumesDir().resolve("v1/_data/x"), "12345");
    Map<String, StoreUsage.Part> parts = new java.util.HashMap<>();
    for (StoreUsage.Part p : store.usage().measure()) {
      parts.put(p.name(), p);
    }
    assertEquals(1, parts.get("images").count());
    assertEquals(3, parts.get("blobs").count());
    assertEquals(1, parts.get("volumes").count());
    assertEquals(5, parts.get("volumes").bytes());
    assertEquals(0, parts.get("layers").count());
    long blobBytes = 0;
    for (Digest d : store.blobs().list()) {
      blobBytes += store.blobs().size(d);
    }
    assertEquals(blobBytes, parts.get("blobs").bytes());
    assertTrue(parts.get("images").bytes() >= blobBytes);
  }

  @Test
  void defaultRoot_followsEnvironment() {
    Path home = Path.of("/home/u");
    assertEquals(
        Path.of("/x/y"), StoreRoots.defaultRoot(Map.of("LAMINA_ROOT", "/x/y"), true, home));
    assertEquals(Path.of("/var/lib/lamina"), StoreRoots.defaultRoot(Map.of(), true, home));
    assertEquals(Path.of("/var/lib/lamina"),
        StoreRoots.defaultRoot(Map.of("LAMINA_ROOT", ""), true, home), "empty is unset");
    assertEquals(
        Path.of("/home/u/.local/share/lamina"), StoreRoots.defaultRoot(Map.of(), false, home));
    assertEquals(
        Path.of("/data/lamina"),
        StoreRoots.defaultRoot(Map.of("XDG_DATA_HOME", "/data"), false, home));
    assertEquals(
        Path.of("/home/u/.local/share/lamina"),
        StoreRoots.defaultRoot(Map.of("XDG_DATA_HOME", "relative"), false, home));
  }
}
