package dev.lamina.layerfs.digest;

import java.util.Locale;

/** The digest algorithms of the OCI image spec's descriptor.md: sha256 (default) and sha512. */
public enum DigestAlgorithm {
  SHA256("sha256", 64, "SHA-256"),
  SHA512("sha512", 128, "SHA-512");

  private final String id;
  private final int hexLength;
  private final String jdkName;

  DigestAlgorithm(String id, int hexLength, String jdkName) {
    this.id = id;
    this.hexLength = hexLength;
    this.jdkName = jdkName;
  }

  /** The name used in digest strings, e.g. {@code sha256}. */
  public String id() {
    return id;
  }

  /** Length of the lowercase hex encoding. */
  public int hexLength() {
    return hexLength;
  }

  /**
   * Whether {@code hex} is exactly this algorithm's length of lowercase hex ({@code [a-f0-9]}). A
   * loop, not a regular expression: a build of a million small files makes a digest of each, and
   * the matcher was a twentieth of its reading threads' time (under C1).
   */
  boolean isValidEncoded(String hex) {
    if (hex.length() != hexLength) {
      return false;
    }
    for (int i = 0; i < hexLength; i++) {
      char c = hex.charAt(i);
      if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
        return false;
      }
    }
    return true;
  }

  /** The algorithm's name in the JDK's providers. */
  String jdkName() {
    return jdkName;
  }

  /**
   * A fresh incremental hasher for this algorithm, for content of any size: content up to 1 MiB
   * is hashed in Java, larger content (layers, blobs) by the system's libcrypto, which is fast
   * whatever the JVM's compilers, or in Java if libcrypto cannot be loaded. Either way the digest
   * is the same.
   */
  public Hasher newHasher() {
    return new Hasher(this, new SizedDigestEngine(this, DigestEngines.system()));
  }

  /** A hasher backed by BouncyCastle, whatever the JDK offers; for cross-checks. */
  Hasher newBouncyCastleHasher() {
    return new Hasher(this, JdkDigestEngine.bouncyCastle(this));
  }

  /**
   * The algorithm named {@code id}.
   *
   * @throws IllegalArgumentException if Lamina does not support it
   */
  public static DigestAlgorithm fromId(String id) {
    for (DigestAlgorithm a : values()) {
      if (a.id.equals(id)) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "unsupported digest algorithm " + id.toLowerCase(Locale.ROOT) + " (want sha256 or sha512)");
  }
}
