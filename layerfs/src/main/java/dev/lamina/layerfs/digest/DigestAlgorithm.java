package dev.lamina.layerfs.digest;

import java.util.Locale;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;

/** The digest algorithms of the OCI image spec's descriptor.md: sha256 (default) and sha512. */
public enum DigestAlgorithm {
  SHA256("sha256", 64),
  SHA512("sha512", 128);

  private final String id;
  private final int hexLength;
  private final Pattern encoded;

  DigestAlgorithm(String id, int hexLength) {
    this.id = id;
    this.hexLength = hexLength;
    this.encoded = Pattern.compile("[a-f0-9]{" + hexLength + "}");
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

  /** A fresh incremental hasher for this algorithm. */
  public Hasher newHasher() {
    return new Hasher(this, this == SHA256 ? new SHA256Digest() : new SHA512Digest());
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
