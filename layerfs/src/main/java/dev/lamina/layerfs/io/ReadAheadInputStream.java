package dev.lamina.layerfs.io;

import dev.lamina.layerfs.concurrent.Futures;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads the stream below on a thread of its own, a few chunks ahead of its reader, so that what
 * reading it costs (a file read, a digest verified as it is read, a decompression) runs on one
 * core while the reader works with the bytes on another: the extraction of a layer spends its
 * time creating files, and hashing or decompressing the layer beside it no longer adds to it.
 *
 * <p>At most {@code chunks + 2} chunks exist (the queue's, the one being filled, the one being
 * read); they are reused. A failure of the stream below (an {@link IOException}, or a digest
 * found wrong at its end) reaches the reader after every byte read before it, at the read that
 * would have met it. {@link #close} stops the thread and waits for it, so that the stream below
 * is no longer in use once it returns (it is not closed here: its owner closes it).
 */
public final class ReadAheadInputStream extends InputStream {
  /** A chunk read: its bytes, or the end, or a failure. */
  private record Chunk(byte[] data, int length, Throwable failure) {
    static final Chunk END = new Chunk(null, -1, null);
  }

  private final InputStream below;
  private final int chunkSize;
  private final BlockingQueue<Chunk> filled;
  /** Chunks read through and given back, for the reading thread to fill again. */
  private final BlockingQueue<byte[]> free;
  private final Thread thread;
  private volatile boolean stopped;
  private Chunk current;
  private int position;
  private boolean closed;

  private ReadAheadInputStream(InputStream below, int chunkSize, int chunks, String name) {
    this.below = below;
    this.chunkSize = chunkSize;
    this.filled = new ArrayBlockingQueue<>(chunks);
    this.free = new ArrayBlockingQueue<>(chunks + 2);
    this.thread = new Thread(this::readBelow, name);
    thread.setDaemon(true);
  }

  /**
   * Starts reading {@code below} ahead, {@code chunks} chunks of {@code chunkSize} bytes at most.
   *
   * @param name the reading thread's name
   */
  public static ReadAheadInputStream start(
      InputStream below, int chunkSize, int chunks, String name) {
    Objects.requireNonNull(below);
    if (chunkSize <= 0 || chunks <= 0) {
      throw new IllegalArgumentException("chunks of " + chunkSize + " bytes, " + chunks + " ahead");
    }
    ReadAheadInputStream s = new ReadAheadInputStream(below, chunkSize, chunks, name);
    s.thread.start();
    return s;
  }

  private void readBelow() {
    try {
      while (!stopped) {
        byte[] b = free.poll();
        if (b == null) {
          b = new byte[chunkSize];
        }
        int n = 0;
        Throwable failure = null;
        try {
          while (n < b.length) {
            int r = below.read(b, n, b.length - n);
            if (r < 0) {
              break;
            }
            n += r;
          }
        } catch (Throwable t) {
          failure = t; // after the bytes read before it
        }
        if (n > 0) {
          filled.put(new Chunk(b, n, null));
        }
        if (failure != null) {
          filled.put(new Chunk(null, -1, failure));
          return;
        }
        if (n < b.length) {
          filled.put(Chunk.END);
          return;
        }
      }
    } catch (InterruptedException e) {
      // close() gave up waiting: nothing more is read.
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : Byte.toUnsignedInt(one[0]);
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (closed) {
      throw new IOException("stream closed");
    }
    if (len == 0) {
      return 0;
    }
    while (current == null || (current.data() != null && position == current.length())) {
      if (current != null) {
        free.offer(current.data());
      }
      try {
        current = filled.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while reading ahead");
      }
      position = 0;
    }
    if (current.failure() != null) {
      throw Futures.failureOf(current.failure());
    }
    if (current.data() == null) {
      return -1; // the end, for this read and every later one
    }
    int n = Math.min(len, current.length() - position);
    System.arraycopy(current.data(), position, b, off, n);
    position += n;
    return n;
  }

  /**
   * Stops reading ahead and waits for the reading thread to end: a read below in progress is let
   * finish, what was read ahead is dropped.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    stopped = true;
    boolean interrupted = false;
    while (thread.isAlive()) {
      filled.clear(); // the thread may wait for room to put its last chunk
      try {
        thread.join(10);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
