package dev.lamina.layerfs.registry;

import dev.lamina.layerfs.io.BufferRelay;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Hands what is written to a thread of its own that writes it to {@code out}, so the writer goes
 * on (reading and hashing a layer, say) while the bytes are hashed, stored and sent. At most
 * {@value #BUFFERS} buffers of {@value #BUFFER_SIZE} bytes wait in between, reused; the writer
 * blocks beyond that.
 *
 * <p>A failure of {@code out} is thrown by the next write, flush or close. {@link #close()} waits
 * for the thread and closes {@code out}; {@link #abort()} stops the thread without writing what
 * waits, so {@code out} can be discarded safely.
 */
final class AsyncOutputStream extends OutputStream {
  static final int BUFFER_SIZE = 256 * 1024;
  static final int BUFFERS = 8;

  private final OutputStream out;
  /** One buffer more than wait: the one being filled. */
  private final BufferRelay<byte[]> relay;
  private byte[] buf;
  private int fill;
  private boolean closed;

  AsyncOutputStream(OutputStream out, String name) {
    this.out = Objects.requireNonNull(out, "out");
    this.relay = BufferRelay.onThread(name, BUFFERS + 1, () -> new byte[BUFFER_SIZE],
        (b, length) -> out.write(b, 0, length));
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (closed) {
      throw new IOException("stream closed");
    }
    while (len > 0) {
      if (buf == null) {
        buf = relay.take();
      }
      int n = Math.min(len, buf.length - fill);
      System.arraycopy(b, off, buf, fill, n);
      fill += n;
      off += n;
      len -= n;
      if (fill == buf.length) {
        handOver();
      }
    }
  }

  /** Passes on what is buffered (it is written soon, not when this returns). */
  @Override
  public void flush() throws IOException {
    if (fill > 0) {
      handOver();
    }
  }

  /** Ends the stream: waits until everything is written and {@code out} closed. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    try {
      flush();
      relay.awaitWritten();
    } finally {
      closed = true;
      relay.close(); // reports a failure not reported above
    }
    out.close();
  }

  /**
   * Stops the thread, dropping what waits; never throws. Waits at most 10 s for a write in
   * progress (a stalled socket is the caller's to close); after this the thread no longer
   * touches {@code out}, but for that one write.
   */
  void abort() {
    closed = true;
    relay.abort(10_000);
  }

  private void handOver() throws IOException {
    byte[] full = buf;
    int length = fill;
    buf = null; // taken again at the next write: a flush at the end takes no new buffer
    fill = 0;
    relay.put(full, length);
  }
}
