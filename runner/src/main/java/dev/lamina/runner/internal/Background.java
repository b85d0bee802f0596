package dev.lamina.runner.internal;

import dev.lamina.layerfs.concurrent.Futures;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * Work done on a thread of its own while the caller does something else, then awaited: for the
 * slow steps of a start or an end (netavark's setup and teardown) that need nothing of what runs
 * beside them. The work's {@link IOException} reaches the one who awaits it, unchanged.
 *
 * @param <T> what the work gives
 */
public final class Background<T> {
  /** The work: it may fail with an {@link IOException}. */
  @FunctionalInterface
  public interface Work<T> {
    T call() throws IOException;
  }

  private final CompletableFuture<T> result;

  private Background(CompletableFuture<T> result) {
    this.result = result;
  }

  /** Work already done, with {@code value}. */
  public static <T> Background<T> done(T value) {
    return new Background<>(CompletableFuture.completedFuture(value));
  }

  /**
   * Starts {@code work} on a new thread named {@code name}. Not a daemon: should the command end
   * without awaiting it, the work still runs to its end (and undoes itself when it fails).
   */
  public static <T> Background<T> start(String name, Work<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        result.complete(work.call());
      } catch (Throwable e) {
        result.completeExceptionally(e);
      }
    }, name);
    t.start();
    return new Background<>(result);
  }

  /**
   * Waits for the work's end (uninterruptibly: what it changes must be known before the caller
   * goes on) and gives its result.
   *
   * @throws IOException the work's own
   */
  public T await() throws IOException {
    return Futures.await(result);
  }

  /** Waits for the work's end, whatever it was: its failure, if any, is the caller's to ignore. */
  public void awaitQuietly() {
    Futures.awaitQuietly(result);
  }
}
