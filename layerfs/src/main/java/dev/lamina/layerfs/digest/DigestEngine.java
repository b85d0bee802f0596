package dev.lamina.layerfs.digest;

/** What computes a {@link Hasher}'s digest. Not thread-safe; used once, up to {@link #finish()}. */
interface DigestEngine {
  void update(byte b);

  /** Hashes {@code buf[off, off + len)}; the caller has checked the bounds. */
  void update(byte[] buf, int off, int len);

  /** The digest of everything hashed; the engine is spent afterwards. */
  byte[] finish();
}
