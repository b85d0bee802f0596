package dev.lamina.layerfs.digest;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Hashes and counts every byte read through it. {@code skip} reads, so nothing goes unhashed. */
public class DigestingInputStream extends FilterInputStream {
  private final Hasher hasher;

  public DigestingInputStream(InputStream in, DigestAlgorithm algorithm) {
    super(in);
    this.hasher = algorithm.newHasher();
  }

  public DigestingInputStream(InputStream in) {
    this(in, DigestAlgorithm.SHA256);
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      hasher.update((byte) b);
    } else {
      onEof();
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      hasher.update(b, off, n);
      afterRead();
    } else if (n < 0) {
      onEof();
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] buf = new byte[(int) Math.min(n, 8192)];
    long skipped = 0;
    while (skipped < n) {
      int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  /**
   * Always 0, without asking the stream below: a {@code BufferedInputStream} over this one asks
   * after each short read whether to read on, and a file answers with two system calls (fstat,
   * lseek), once per entry of a layer being extracted. 0 is a valid estimate: the reader reads
   * again when it needs more.
   */
  @Override
  public int available() {
    return 0;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {}

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported");
  }

  /** Bytes read so far. */
  public long count() {
    return hasher.count();
  }

  /** Reads the rest of the stream (hashing it) and returns the digest of the whole. */
  public Digest drainAndDigest() throws IOException {
    byte[] buf = new byte[64 * 1024];
    while (read(buf, 0, buf.length) >= 0) {
      // hashing happens in read
    }
    return hasher.digest();
  }

  /** The digest of what was read; call after EOF (hashing more afterwards fails). */
  public Digest digest() {
    return hasher.digest();
  }

  /** Called after each successful read; subclasses check limits here. */
  protected void afterRead() throws IOException {}

  /** Called when the underlying stream reports EOF; subclasses verify here. */
  protected void onEof() throws IOException {}
}
