package dev.lamina.layerfs.digest;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/** Passes bytes through to {@code out} while hashing and counting them. */
public final class DigestingOutputStream extends FilterOutputStream {
  private final Hasher hasher;

  public DigestingOutputStream(OutputStream out, DigestAlgorithm algorithm) {
    super(out);
    this.hasher = algorithm.newHasher();
  }

  public DigestingOutputStream(OutputStream out) {
    this(out, DigestAlgorithm.SHA256);
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    hasher.update((byte) b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    out.write(b, off, len);
    hasher.update(b, off, len);
  }

  /** Bytes written so far. */
  public long count() {
    return hasher.count();
  }

  /** The digest of everything written; call after the last write (writing on fails). */
  public Digest digest() {
    return hasher.digest();
  }
}
