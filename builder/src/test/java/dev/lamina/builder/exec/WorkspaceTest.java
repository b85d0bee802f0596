package dev.lamina.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Build workspaces: owned by a lock that other builds, in this JVM or another, respect. */
class WorkspaceTest {
  @TempDir Path tmp;

  private static BuildOptions options(Path ctx, String tag) {
    return BuildOptions.builder(ctx).recipeText("FROM scratch\nCOPY a /a\n").tag(tag).build();
  }

  private static List<Path> workspaces(Store store) throws Exception {
    try (Stream<Path> s = Files.list(store.cacheDir().resolve("work"))) {
      return s.toList();
    }
  }

  @Test
  void twoBuildsAtOnceInOneJvm_leaveEachOthersWorkspaceAndLock() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Files.writeString(ctx.resolve("a"), "a");
    Store store = Store.open(tmp.resolve("store"));
    CountDownLatch firstInStep = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Progress holding =
        new Progress() {
          @Override
          public Step begin(String name) {
            if (name.contains("COPY")) {
              firstInStep.countDown();
              try {
                release.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return Progress.quiet().begin(name);
          }

          @Override
          public void message(String text) {}
        };
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<BuildResult> first =
          pool.submit(() -> Builder.build(store, options(ctx, "first"), holding));
      firstInStep.await();
      List<Path> firstWork = workspaces(store);
      assertEquals(1, firstWork.size());

      // A second build while the first one holds its workspace.
      Builder.build(store, options(ctx, "second"), Progress.quiet());

      assertTrue(Files.isDirectory(firstWork.get(0)), "the second build took the first one's");
      // Another process sees the first build's lock still held: it was not dropped.
      assertEquals(0, WorkspaceCleaner.run(store.root()));
      assertTrue(Files.isDirectory(firstWork.get(0)));
      release.countDown();
      first.get();
      assertEquals(List.of(), workspaces(store));
    } finally {
      release.countDown();
      pool.shutdownNow();
    }
  }

  @Test
  void removeStale_removesWorkspacesWhoseOwnerIsGone_only() throws Exception {
    Store store = Store.open(tmp.resolve("store"));
    Path dead = Files.createDirectories(store.cacheDir().resolve("work/dead"));
    Files.writeString(dead.resolve(".lock"), "");
    Files.createDirectories(dead.resolve("rootfs-1/upper"));
    try (Workspace live = Workspace.create(store)) {
      assertFalse(Files.exists(dead), "create removes a dead build's workspace");
      assertEquals(0, Workspace.removeStale(store));
      assertTrue(Files.isDirectory(live.dir()));
    }
  }
}
