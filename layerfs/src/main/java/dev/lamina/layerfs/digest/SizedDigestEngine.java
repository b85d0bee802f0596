package dev.lamina.layerfs.digest;

import java.util.Arrays;

/**
 * Chooses an engine by the size of the content, which callers streaming a blob or a layer rarely
 * know in advance: the first {@link #LARGE} bytes are held back; content that ends within them is
 * small and hashed in Java, longer content is large and goes to the engine for large content
 * (libcrypto), held bytes first. Holding back copies at most {@link #LARGE} bytes per hasher.
 */
final class SizedDigestEngine implements DigestEngine {
  /**
   * Content longer than this is large. Under C1 the JDK hashes 1 MiB of sha256 in about 10 ms,
   * libcrypto in under 1: the cost of loading libcrypto is won back within a few MiB, and a process
   * that hashes one content this large usually hashes more.
   */
  static final int LARGE = 1 << 20;

  /**
   * Once libcrypto is loaded, content up to this long is still held and hashed whole in one call
   * ({@link DigestEngines#digestWhole}): copying 64 KiB costs a few microseconds, about what the
   * four calls through jffi it spares cost, and most files of a build context are smaller.
   */
  static final int ONE_CALL = 64 * 1024;

  private final DigestAlgorithm algorithm;
  private final DigestEngines engines;
  private byte[] held = new byte[256];
  private int heldLength;
  private DigestEngine chosen;

  SizedDigestEngine(DigestAlgorithm algorithm, DigestEngines engines) {
    this.algorithm = algorithm;
    this.engines = engines;
  }

  @Override
  public void update(byte b) {
    if (chosen == null && heldLength < LARGE) {
      hold(1)[heldLength++] = b;
    } else {
      large().update(b);
    }
  }

  @Override
  public void update(byte[] buf, int off, int len) {
    // Once libcrypto is loaded, content longer than one call's worth goes there at once.
    if (chosen == null && len <= LARGE - heldLength
        && !(heldLength + len > ONE_CALL && engines.loaded())) {
      System.arraycopy(buf, off, hold(len), heldLength, len);
      heldLength += len;
    } else {
      large().update(buf, off, len);
    }
  }

  @Override
  public byte[] finish() {
    if (chosen == null) {
      byte[] digest = engines.digestWhole(algorithm, held, 0, heldLength);
      held = null;
      return digest;
    }
    return chosen.finish();
  }

  /** The held bytes' array, with room for {@code more}. */
  private byte[] hold(int more) {
    int need = heldLength + more;
    if (need > held.length) {
      held = Arrays.copyOf(held, Math.min(LARGE, Math.max(need, 2 * held.length)));
    }
    return held;
  }

  private DigestEngine large() {
    if (chosen == null) {
      chosen = engines.forLargeContent(algorithm);
      chosen.update(held, 0, heldLength);
      held = null;
    }
    return chosen;
  }
}
