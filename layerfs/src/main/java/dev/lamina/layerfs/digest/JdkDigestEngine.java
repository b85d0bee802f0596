package dev.lamina.layerfs.digest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.jcajce.provider.digest.SHA256;
import org.bouncycastle.jcajce.provider.digest.SHA512;

/** A digest computed in Java, by a {@link MessageDigest}. */
final class JdkDigestEngine implements DigestEngine {
  private final MessageDigest digest;

  private JdkDigestEngine(MessageDigest digest) {
    this.digest = digest;
  }

  /**
   * The JDK's implementation, or BouncyCastle's where the JDK's providers lack the algorithm.
   * HotSpot's C2 compiles the JDK's to the CPU's SHA instructions (SHA-NI, ARMv8 SHA2), several
   * times faster than BouncyCastle's pure Java (about 1.5 GB/s against 0.17 GB/s for sha256 on
   * x86-64); under C1 alone both are slow.
   */
  static JdkDigestEngine of(DigestAlgorithm algorithm) {
    try {
      return new JdkDigestEngine(MessageDigest.getInstance(algorithm.jdkName()));
    } catch (NoSuchAlgorithmException e) {
      return bouncyCastle(algorithm);
    }
  }

  /** BouncyCastle's implementation, whatever the JDK offers; for cross-checks. */
  static JdkDigestEngine bouncyCastle(DigestAlgorithm algorithm) {
    return new JdkDigestEngine(BouncyCastle.digest(algorithm));
  }

  @Override
  public void update(byte b) {
    digest.update(b);
  }

  @Override
  public void update(byte[] buf, int off, int len) {
    digest.update(buf, off, len);
  }

  @Override
  public byte[] finish() {
    return digest.digest();
  }

  /**
   * Kept in a class of its own so the (large, signed) BouncyCastle jar is neither loaded nor
   * verified until a BouncyCastle digest is wanted: the bytecode verifier would load it to check
   * these types as soon as the enclosing class is linked.
   */
  private static final class BouncyCastle {
    static MessageDigest digest(DigestAlgorithm algorithm) {
      return algorithm == DigestAlgorithm.SHA256 ? new SHA256.Digest() : new SHA512.Digest();
    }
  }
}
