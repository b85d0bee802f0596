package dev.lamina.layerfs.digest;

import org.bouncycastle.crypto.ExtendedDigest;

/** An incremental digest computation; not thread-safe. */
public final class Hasher {
  private final DigestAlgorithm algorithm;
  private final ExtendedDigest digest;
  private long count;

  Hasher(DigestAlgorithm algorithm, ExtendedDigest digest) {
    this.algorithm = algorithm;
    this.digest = digest;
  }

  public void update(byte b) {
    digest.update(b);
    count++;
  }

  public void update(byte[] buf, int off, int len) {
    digest.update(buf, off, len);
    count += len;
  }

  /** Bytes hashed so far. */
  public long count() {
    return count;
  }

  /** Finishes the computation; the hasher must not be used afterwards. */
  public Digest digest() {
    byte[] out = new byte[digest.getDigestSize()];
    digest.doFinal(out, 0);
    return Digest.fromRaw(algorithm, out);
  }
}
