package dev.lamina.layerfs.concurrent;

import java.io.IOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Waiting for work handed to another thread (read-ahead, listings, background syncs) whose end
 * must be known before the caller goes on: the wait is not cut short by an interrupt, which is
 * kept for the caller to see afterwards.
 */
public final class Futures {
  private Futures() {}

  /**
   * Waits for {@code f} to end and gives its value. Its failure is the caller's: an {@link
   * IOException} as it was thrown, unchecked exceptions and errors as they are, anything else in
   * an {@code IOException}.
   *
   * @throws IOException the work's own, or another checked exception of it wrapped
   */
  public static <T> T await(Future<T> f) throws IOException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } catch (ExecutionException e) {
      throw failureOf(e.getCause());
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * The failure of work done on another thread, as the thread that waited for it throws it: an
   * {@link IOException} as it was (returned, for the caller to throw); unchecked exceptions and
   * errors thrown here as they are; anything else wrapped in an {@code IOException}.
   */
  public static IOException failureOf(Throwable cause) {
    if (cause instanceof IOException io) {
      return io;
    }
    if (cause instanceof RuntimeException r) {
      throw r;
    }
    if (cause instanceof Error err) {
      throw err;
    }
    return new IOException(cause);
  }

  /**
   * Waits for {@code f} to end, whatever its outcome (a failure of any kind), which is not the
   * caller's to report.
   */
  public static void awaitQuietly(Future<?> f) {
    boolean interrupted = false;
    while (true) {
      try {
        f.get();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (ExecutionException failed) {
        break; // the work reports its own failure, or none is needed
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
