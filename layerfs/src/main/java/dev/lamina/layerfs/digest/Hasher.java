package dev.lamina.layerfs.digest;

import java.security.MessageDigest;

/** An incremental digest computation; not thread-safe. */
public final class Hasher {
  private final DigestAlgorithm algorithm;
  private final MessageDigest digest;
  private long count;

  Hasher(DigestAlgorithm algorithm, MessageDigest digest) {
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
    return Digest.fromRaw(algorithm, digest.digest());
  }
}
