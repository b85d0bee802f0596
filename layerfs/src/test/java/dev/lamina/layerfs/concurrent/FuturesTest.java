package dev.lamina.layerfs.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.Test;

/** The work's value or its own failure, and a wait an interrupt does not cut short. */
class FuturesTest {
  @Test
  void await_givesTheValue_orTheWorksOwnFailure() throws Exception {
    assertEquals("done", Futures.await(CompletableFuture.completedFuture("done")));
    IOException io = new IOException("disk");
    assertSame(io, assertThrows(IOException.class,
        () -> Futures.await(CompletableFuture.failedFuture(io))));
    IllegalStateException bug = new IllegalStateException("bug");
    assertSame(bug, assertThrows(IllegalStateException.class,
        () -> Futures.await(CompletableFuture.failedFuture(bug))));
    Exception checked = new Exception("other");
    assertSame(checked, assertThrows(IOException.class,
        () -> Futures.await(CompletableFuture.failedFuture(checked))).getCause());
    Futures.awaitQuietly(CompletableFuture.failedFuture(new OutOfMemoryError("reported there")));
  }

  @Test
  void await_isNotCutShortByAnInterrupt_whichIsKept() throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    FutureTask<String> work = new FutureTask<>(() -> {
      go.await();
      return "late";
    });
    new Thread(work).start();
    Thread.currentThread().interrupt();
    new Thread(() -> {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      go.countDown();
    }).start();
    try {
      assertEquals("late", Futures.await(work));
      assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
    } finally {
      Thread.interrupted();
    }
  }
}
