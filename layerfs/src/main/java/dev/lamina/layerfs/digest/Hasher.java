package dev.lamina.layerfs.digest;

import java.util.Objects;

/** An incremental digest computation; not thread-safe. */
public final class Hasher {
  private final DigestAlgorithm algorithm;
  private final DigestEngine engine;
  private long count;
  private Digest digest;

  Hasher(DigestAlgorithm algorithm, DigestEngine engine) {
    this.algorithm = algorithm;
    this.engine = engine;
  }

  public void update(byte b) {
    checkUnfinished();
    engine.update(b);
    count++;
  }

  public void update(byte[] buf, int off, int len) {
    // Checked here: a native engine would read out of bounds.
    Objects.checkFromIndexSize(off, len, buf.length);
    checkUnfinished();
    if (len > 0) {
      engine.update(buf, off, len);
      count += len;
    }
  }

  /** Bytes hashed so far. */
  public long count() {
    return count;
  }

  /**
   * Finishes the computation and returns the digest of everything hashed. Later calls return the
   * same digest; updating afterwards fails.
   */
  public Digest digest() {
    if (digest == null) {
      digest = Digest.fromRaw(algorithm, engine.finish());
    }
    return digest;
  }

  private void checkUnfinished() {
    if (digest != null) {
      throw new IllegalStateException("hasher already finished");
    }
  }
}
