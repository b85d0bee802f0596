package dev.lamina.layerfs.tar;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts every byte read from the layer stream and enforces the limits: a total, and a budget for
 * the metadata read while the tar reader looks for the next entry (PAX headers, GNU long names,
 * header blocks), which is what keeps a decompression bomb in a PAX header from filling the heap.
 *
 * <p>Closing it does not close the caller's stream.
 */
final class MeteredInputStream extends FilterInputStream {
  private final long maxTotal;
  private long total;
  private long headerBudget = -1;
  private long headerLimit;
  private IOException sourceFailure;

  MeteredInputStream(InputStream in, long maxTotal) {
    super(in);
    this.maxTotal = maxTotal;
  }

  long total() {
    return total;
  }

  /** Starts counting metadata bytes against {@code limit}. */
  void limitHeader(long limit) {
    headerLimit = limit;
    headerBudget = limit;
  }

  void unlimitHeader() {
    headerBudget = -1;
  }

  /** Whether {@code e} was thrown by the underlying stream (not by the tar reader). */
  boolean isSourceFailure(IOException e) {
    return e == sourceFailure;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n <= 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n;
    try {
      n = in.read(b, off, len);
    } catch (IOException e) {
      sourceFailure = e;
      throw e;
    }
    if (n > 0) {
      account(n);
    }
    return n;
  }

  /** Skips by reading, so that skipped bytes are counted (and hashed by the caller's stream). */
  @Override
  public long skip(long n) throws IOException {
    byte[] scratch = new byte[(int) Math.min(8192, Math.max(n, 1))];
    long skipped = 0;
    while (skipped < n) {
      int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  /** Reads the stream to its real end, so that trailing bytes reach the caller's digest. */
  void drain() throws IOException {
    byte[] scratch = new byte[8192];
    while (read(scratch, 0, scratch.length) >= 0) {
      // discard
    }
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public void close() {
    // The caller owns the stream.
  }

  private void account(int n) throws LayerFormatException {
    total += n;
    if (total > maxTotal) {
      throw new LayerFormatException("the layer is larger than the limit of " + maxTotal + " bytes");
    }
    if (headerBudget >= 0) {
      headerBudget -= n;
      if (headerBudget < 0) {
        throw new LayerFormatException(
            "the metadata of one entry (PAX headers, long names) exceeds "
                + headerLimit
                + " bytes");
      }
    }
  }
}
