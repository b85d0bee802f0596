package dev.lamina.layerfs.digest;

import java.util.Locale;
import java.util.regex.Pattern;

/** The digest algorithms of the OCI image spec's descriptor.md: sha256 (default) and sha512. */
public enum DigestAlgorithm {
  SHA256("sha256", 64, "SHA-256"),
  SHA512("sha512", 128, "SHA-512");

  private final String id;
  private final int hexLength;
  private final Pattern encoded;
  private final String jdkName;

  DigestAlgorithm(String id, int hexLength, String jdkName) {
    this.id = id;
    this.hexLength = hexLength;
    this.encoded = Pattern.compile("[a-f0-9]{" + hexLength + "}");
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

  boolean isValidEncoded(String hex) {
    return encoded.matcher(hex).matches();
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
