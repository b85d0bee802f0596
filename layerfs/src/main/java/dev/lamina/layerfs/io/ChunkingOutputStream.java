package dev.lamina.layerfs.io;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * An output stream that gathers what is written into chunks of one fixed size and hands each on
 * whole ({@link #emit}), for a consumer that works a chunk at a time: a queue to another thread,
 * whose hand-over costs as much as a small write's work, or a block compressed on its own. Writes
 * of any size, single bytes included, cost one hand-over a chunk.
 *
 * <p>A chunk handed on is the consumer's to keep: the next bytes go into a new one. The bytes
 * gathered since the last full chunk are handed on only when the subclass asks ({@link
 * #emitBuffered}), at a flush or the end.
 */
public abstract class ChunkingOutputStream extends OutputStream {
  private final int chunkSize;
  private byte[] chunk;
  private int fill;

  /** @throws IllegalArgumentException unless {@code chunkSize} is positive */
  protected ChunkingOutputStream(int chunkSize) {
    if (chunkSize <= 0) {
      throw new IllegalArgumentException("chunk size must be positive, not " + chunkSize);
    }
    this.chunkSize = chunkSize;
    this.chunk = new byte[chunkSize];
  }

  /**
   * Refuses a write once the stream takes no more (closed, finished); called before each write,
   * before any of its bytes is gathered.
   *
   * @throws IOException saying why nothing more is taken
   */
  protected abstract void ensureOpen() throws IOException;

  /**
   * Takes the next chunk: the bytes written since the one before, in order, {@code chunkSize} of
   * them but for the one {@link #emitBuffered} gives. It is the callee's, never touched again here.
   *
   * @throws IOException if the consumer fails; the chunk's bytes are then lost to the stream
   */
  protected abstract void emit(byte[] chunk) throws IOException;

  @Override
  public final void write(int b) throws IOException {
    ensureOpen();
    chunk[fill++] = (byte) b;
    if (fill == chunkSize) {
      emitFull();
    }
  }

  @Override
  public final void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    ensureOpen();
    while (len > 0) {
      int n = Math.min(len, chunkSize - fill);
      System.arraycopy(b, off, chunk, fill, n);
      fill += n;
      off += n;
      len -= n;
      if (fill == chunkSize) {
        emitFull();
      }
    }
  }

  /** How many bytes are gathered and not handed on yet (always fewer than a chunk). */
  protected final int buffered() {
    return fill;
  }

  /**
   * Hands on the bytes gathered since the last chunk as a chunk of their own, {@link #buffered}
   * long (empty when nothing is), and fills from the start again.
   *
   * @throws IOException as {@link #emit}
   */
  protected final void emitBuffered() throws IOException {
    byte[] part = Arrays.copyOf(chunk, fill);
    fill = 0;
    emit(part);
  }

  private void emitFull() throws IOException {
    byte[] full = chunk;
    chunk = new byte[chunkSize];
    fill = 0;
    emit(full);
  }
}
