package dev.lamina.layerfs.registry;

import dev.lamina.layerfs.io.ChunkingOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands what is written to a thread of its own that writes it to {@code out}, so the writer goes
 * on (reading and hashing a layer, say) while the bytes are hashed, stored and sent. At most
 * {@value #BUFFERS} buffers of {@value #BUFFER_SIZE} bytes wait in between; the writer blocks
 * beyond that.
 *
 * <p>A failure of {@code out} is thrown by the next write, flush or close. {@link #close()} ends
 * the queue, waits for the thread and closes {@code out}; {@link #abort()} stops the thread
 * without writing what waits, so {@code out} can be discarded safely.
 */
final class AsyncOutputStream extends ChunkingOutputStream {
  static final int BUFFER_SIZE = 256 * 1024;
  static final int BUFFERS = 8;
  private static final byte[] END = new byte[0];

  private final OutputStream out;
  private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(BUFFERS);
  private final Thread thread;
  private volatile Throwable failure;
  private volatile boolean aborted;
  private boolean closed;

  AsyncOutputStream(OutputStream out, String name) {
    super(BUFFER_SIZE);
    this.out = Objects.requireNonNull(out, "out");
    this.thread = new Thread(this::drain, name);
    thread.setDaemon(true);
    thread.start();
  }

  private void drain() {
    try {
      while (true) {
        byte[] b = queue.take();
        if (b == END || aborted) {
          break;
        }
        out.write(b);
      }
      if (!aborted) {
        out.close();
      }
    } catch (Throwable t) {
      failure = t;
      queue.clear(); // unblocks the writer, which then sees the failure
    }
  }

  @Override
  protected void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("stream closed");
    }
  }

  @Override
  protected void emit(byte[] chunk) throws IOException {
    put(chunk);
  }

  /** Passes on what is buffered (it is written soon, not when this returns). */
  @Override
  public void flush() throws IOException {
    if (buffered() > 0) {
      emitBuffered();
    }
  }

  /** Ends the stream: waits until everything is written and {@code out} closed. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    flush();
    closed = true;
    put(END);
    join();
    check();
  }

  /**
   * Stops the thread, dropping what waits; never throws. Waits at most 10 s for a write in
   * progress (a stalled socket is the caller's to close); after this the thread no longer
   * touches {@code out}, but for that one write.
   */
  void abort() {
    closed = true;
    aborted = true;
    queue.clear();
    queue.offer(END);
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void put(byte[] b) throws IOException {
    try {
      while (true) {
        check();
        if (queue.offer(b, 50, TimeUnit.MILLISECONDS)) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing");
    }
  }

  private void join() throws InterruptedIOException {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while writing");
    }
  }

  private void check() throws IOException {
    Throwable f = failure;
    if (f instanceof IOException io) {
      throw io;
    }
    if (f != null) {
      throw new IOException("writing failed: " + f, f);
    }
  }
}
