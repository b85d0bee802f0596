package dev.lamina.layerfs.io;

import dev.lamina.layerfs.concurrent.Futures;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * Buffers handed from the thread that fills them to another that writes them out ({@link Drain}),
 * a few at a time, so that filling (reading and packing files, compressing) and writing (hashing,
 * a disk, a socket) overlap. The filler (one thread) {@link #take}s a buffer, fills it and {@link
 * #put}s it; buffers are written in the order they were put, one at a time.
 *
 * <ul>
 *   <li>At most {@code capacity} buffers ever exist, counting the one being filled. They are made
 *       (by the given allocator: plain arrays, aligned native buffers) as they are first needed and
 *       then reused, so memory stays flat and a small stream makes one. {@link #take} waits for
 *       the oldest buffer to be written only when all of them are in use.
 *   <li>The first failure of the drain stops every later write (nothing put after a failed write
 *       reaches the stream, which then holds an exact prefix of what was put) and is thrown, once,
 *       to the filler by its next {@link #take}, {@link #put}, {@link #awaitWritten} or {@link
 *       #close}. Calls after that are refused with an exception whose cause it is.
 *   <li>{@link #close} waits for every buffer put to be written (or skipped after a failure),
 *       whatever happened, and stops a thread of the relay's own: no write runs after it returns.
 *       {@link #abort} drops what waits instead.
 *   <li>A filler interrupted while it waits gets an {@link InterruptedIOException} (its interrupt
 *       kept) and nothing more is written; {@link #close} still waits for a write in progress.
 * </ul>
 *
 * <p>Writes run either on a thread of the relay's own ({@link #onThread}) or on an executor shared
 * by several relays ({@link #on}). Each relay has at most one write scheduled at a time and
 * schedules the next only when it is done, so its buffers stay in order on any executor, and on a
 * shared single thread the relays take turns a buffer at a time.
 *
 * @param <B> the buffer type
 */
public final class BufferRelay<B> implements AutoCloseable {
  /** Writes one buffer out: the stream below, a disk. */
  @FunctionalInterface
  public interface Drain<B> {
    /**
     * Writes the first {@code length} bytes of {@code buffer} (for a byte buffer, the length its
     * filler gave; its position and limit are as the filler left them).
     *
     * @throws IOException if writing fails; nothing is written after it
     */
    void write(B buffer, int length) throws IOException;
  }

  private final Supplier<B> allocator;
  private final int capacity;
  private final Executor executor;
  /** The relay's own thread, stopped at {@link #close}; null on a shared executor. */
  private final ExecutorService own;
  private final Drain<B> drain;

  // Guarded by this.
  private final ArrayDeque<B> free = new ArrayDeque<>();
  /** Buffers put and not yet written, oldest (the one being written, if any) first. */
  private final ArrayDeque<Filled<B>> queued = new ArrayDeque<>();
  private int made;
  /** Whether a write of this relay is scheduled or running. */
  private boolean scheduled;
  /** Whether writes stop: a write failed, the filler was interrupted, or it aborted. */
  private boolean stopped;
  private Throwable failure;
  private boolean reported;
  private boolean closed;

  private BufferRelay(
      int capacity, Supplier<B> allocator, Executor executor, ExecutorService own,
      Drain<B> drain) {
    if (capacity < 2) {
      throw new IllegalArgumentException("a relay needs at least 2 buffers, not " + capacity);
    }
    this.capacity = capacity;
    this.allocator = Objects.requireNonNull(allocator, "allocator");
    this.executor = executor;
    this.own = own;
    this.drain = Objects.requireNonNull(drain, "drain");
  }

  /**
   * A relay whose writes run on a daemon thread of its own named {@code threadName}, started with
   * the first write and stopped by {@link #close} or {@link #abort}.
   */
  public static <B> BufferRelay<B> onThread(
      String threadName, int capacity, Supplier<B> allocator, Drain<B> drain) {
    Objects.requireNonNull(threadName, "threadName");
    ExecutorService own = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    return new BufferRelay<>(capacity, allocator, own, own, drain);
  }

  /**
   * A relay whose writes run on {@code executor}, which other relays may share and which it never
   * stops.
   */
  public static <B> BufferRelay<B> on(
      Executor executor, int capacity, Supplier<B> allocator, Drain<B> drain) {
    return new BufferRelay<>(
        capacity, allocator, Objects.requireNonNull(executor, "executor"), null, drain);
  }

  /**
   * A buffer to fill, holding whatever it last held: a written one, else a new one while fewer
   * than {@code capacity} exist, else the oldest put once it is written.
   *
   * @throws IOException the drain's failure, if not yet thrown; or if the relay is closed or
   *     stopped
   * @throws InterruptedIOException if interrupted while waiting (nothing more is written then)
   */
  public B take() throws IOException {
    synchronized (this) {
      while (true) {
        check();
        B b = free.poll();
        if (b != null) {
          return b;
        }
        if (made < capacity) {
          made++;
          break;
        }
        waitForWrite();
      }
    }
    // Made outside the lock: a native buffer can take a while, and the drain needs the lock.
    try {
      return allocator.get();
    } catch (RuntimeException | Error e) {
      synchronized (this) {
        made--;
      }
      throw e;
    }
  }

  /**
   * Hands over {@code buffer} (from {@link #take}), whose first {@code length} bytes are written
   * after those put before it. The filler must not touch it again until {@link #take} gives it
   * back.
   *
   * @throws IOException the drain's failure, if not yet thrown (the buffer is then not written);
   *     or if the relay is closed or stopped
   */
  public void put(B buffer, int length) throws IOException {
    Objects.requireNonNull(buffer, "buffer");
    if (length < 0) {
      throw new IllegalArgumentException("negative length " + length);
    }
    synchronized (this) {
      try {
        check();
      } catch (IOException | RuntimeException | Error e) {
        free.add(buffer);
        throw e;
      }
      queued.add(new Filled<>(buffer, length));
      if (scheduled) {
        return;
      }
      scheduled = true;
    }
    schedule();
  }

  /**
   * Waits until every buffer put is written.
   *
   * @throws IOException the drain's failure, if not yet thrown; or if the relay is closed or
   *     stopped
   * @throws InterruptedIOException if interrupted while waiting (nothing more is written then)
   */
  public synchronized void awaitWritten() throws IOException {
    check();
    while (!queued.isEmpty()) {
      waitForWrite();
      check();
    }
  }

  /**
   * Waits for every buffer put to be written (or skipped after a failure), not cut short by an
   * interrupt (kept for the caller to see), and stops the relay's own thread. Nothing is taken or
   * put afterwards.
   *
   * @throws IOException the drain's failure, if not yet thrown
   */
  @Override
  public void close() throws IOException {
    Throwable unreported;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      boolean interrupted = false;
      while (!queued.isEmpty() && scheduled) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      unreported = reported ? null : failure;
      reported = true;
    }
    stopOwnThread();
    if (unreported != null) {
      throw Futures.failureOf(unreported);
    }
  }

  /**
   * Stops: drops the buffers waiting to be written and waits at most {@code millis} for a write
   * in progress (a stalled socket is the caller's to close); never throws. After it, nothing of
   * this relay is written but that one write.
   */
  public void abort(long millis) {
    synchronized (this) {
      closed = true;
      stopped = true;
      long deadline = System.nanoTime() + millis * 1_000_000;
      boolean interrupted = false;
      // Only the buffer being written is left once the drain sees stopped.
      while (scheduled) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          break;
        }
        try {
          wait(left);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      reported = true;
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    stopOwnThread();
  }

  /** Writes the oldest buffer put, then schedules the next one if any. Runs on the executor. */
  private void writeOldest() {
    Filled<B> oldest;
    boolean skip;
    synchronized (this) {
      oldest = queued.peek();
      skip = stopped;
    }
    Throwable failed = null;
    if (!skip) {
      try {
        drain.write(oldest.buffer(), oldest.length());
      } catch (Throwable t) {
        failed = t;
      }
    }
    boolean more;
    synchronized (this) {
      queued.poll();
      free.add(oldest.buffer());
      if (failed != null && failure == null) {
        failure = failed;
        stopped = true;
      }
      more = !queued.isEmpty();
      scheduled = more;
      notifyAll();
    }
    if (more) {
      schedule();
    }
  }

  /** Schedules {@link #writeOldest}; a refusal (the executor stopped) fails the relay. */
  private void schedule() {
    try {
      executor.execute(this::writeOldest);
    } catch (RejectedExecutionException e) {
      synchronized (this) {
        if (failure == null) {
          failure = new IOException("the writing thread is stopped", e);
        }
        stopped = true;
        scheduled = false;
        while (!queued.isEmpty()) {
          free.add(queued.poll().buffer());
        }
        notifyAll();
      }
    }
  }

  /** Throws an unreported failure (once), or refuses a closed or stopped relay. */
  private void check() throws IOException {
    // holds the lock
    if (failure != null && !reported) {
      reported = true;
      throw Futures.failureOf(failure);
    }
    if (closed) {
      throw new IOException("buffer relay closed");
    }
    if (stopped) {
      IOException e = new IOException("writing stopped after an earlier failure or interrupt");
      if (failure != null) {
        e.initCause(failure);
      }
      throw e;
    }
  }

  /** Waits for a write to end; on an interrupt, stops the writes. Holds the lock. */
  private void waitForWrite() throws InterruptedIOException {
    try {
      wait();
    } catch (InterruptedException e) {
      stopped = true;
      reported = true; // the filler gives up: a failure after this is no longer its news
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for buffers to be written");
    }
  }

  /**
   * Lets the relay's own thread end once idle. Not interrupted: a write in progress (after {@link
   * #abort}) ends as it would, rather than closing a file channel under the caller.
   */
  private void stopOwnThread() {
    if (own != null) {
      own.shutdown();
    }
  }

  private record Filled<B>(B buffer, int length) {}
}
