package dev.lamina.layerfs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.digest.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What must hold between separate processes sharing one store. */
class MultiProcessTest {
  @TempDir Path root;
  @TempDir Path work;

  @Test
  void tag_fromThreeProcessesAtOnce_losesNoName() throws Exception {
    Store store = Store.open(root);
    TestImages.image(store, work, "base", "f", "1");
    List<Process> children = new ArrayList<>();
    for (String prefix : List.of("a", "b", "c")) {
      children.add(StoreProcess.start("tag", root.toString(), "base", "p" + prefix + ":t", "50"));
    }
    for (Process p : children) {
      StoreProcess.awaitSuccess(p);
    }
    Set<String> names = new HashSet<>();
    for (Images.ImageSummary s : store.images().list()) {
      names.add(s.name());
    }
    assertEquals(151, names.size(), "150 new names and base");
    for (String prefix : List.of("a", "b", "c")) {
      for (int i = 0; i < 50; i++) {
        assertTrue(names.contains("localhost/p" + prefix + ":t" + i), prefix + i);
      }
    }
    assertTrue(store.check().run().isClean());
  }

  @Test
  void kill9_whileWritingLargeBlob_leavesNoPartialBlob() throws Exception {
    Store.open(root);
    Process p = StoreProcess.start("write-forever", root.toString());
    try {
      assertEquals("writing", StoreProcess.readLine(p));
    } finally {
      p.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
      p.waitFor(30, TimeUnit.SECONDS);
    }
    assertEquals(137, p.exitValue());
    try (var tmp = Files.list(root.resolve("tmp"))) {
      List<Path> left = tmp.toList();
      assertEquals(1, left.size(), "the killed writer's temp file is still there");
      assertTrue(Files.size(left.get(0)) >= 5L * 1024 * 1024);
    }
    Store reopened = Store.open(root);
    try (var tmp = Files.list(root.resolve("tmp"))) {
      assertEquals(List.of(), tmp.toList(), "opening the store removed the stale temp");
    }
    assertEquals(List.of(), reopened.blobs().list());
    StoreCheck.Result check = reopened.check().run();
    assertTrue(check.isClean(), check.problems().toString());
  }

  @Test
  void prune_waitsForAnotherProcessesLease_andKeepsItsBlob() throws Exception {
    Store store = Store.open(root);
    Digest garbage = store.blobs().put("garbage".getBytes(StandardCharsets.UTF_8)).digest();
    Process writer = StoreProcess.start("hold-lease", root.toString(), "inflight");
    Digest inFlight = Digest.parse(StoreProcess.readLine(writer));
    assertTrue(store.blobs().exists(inFlight));
    CompletableFuture<StorePrune.Result> prune =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return store.prune().run();
              } catch (Exception e) {
                throw new RuntimeException(e);
              }
            });
    boolean finishedEarly;
    try {
      prune.get(1500, TimeUnit.MILLISECONDS);
      finishedEarly = true;
    } catch (TimeoutException expected) {
      finishedEarly = false;
    }
    assertFalse(finishedEarly, "prune must wait while another process holds a lease");
    writer.getOutputStream().write('\n');
    writer.getOutputStream().flush();
    StoreProcess.awaitSuccess(writer);
    StorePrune.Result result = prune.get(60, TimeUnit.SECONDS);
    assertEquals(List.of(garbage), result.removedBlobs());
    assertFalse(store.blobs().exists(garbage));
    assertTrue(store.blobs().exists(inFlight));
    assertTrue(store.images().resolve("inflight").names().contains("localhost/inflight:latest"));
    assertTrue(store.check().run().isClean(), store.check().run().problems().toString());
  }
}
