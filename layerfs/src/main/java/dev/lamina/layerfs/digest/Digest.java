package dev.lamina.layerfs.digest;

import dev.lamina.layerfs.posix.FileNames;
import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A content digest such as {@code sha256:2c26b46b...}, validated against the OCI descriptor
 * grammar: a supported algorithm, a colon, and exactly the algorithm's length of lowercase hex.
 * Uppercase, padding or any other character is refused, so a digest is always safe to use as a
 * path component (CVE-2024-3727).
 */
public record Digest(DigestAlgorithm algorithm, String hex) implements Comparable<Digest> {

  public Digest {
    Objects.requireNonNull(algorithm, "algorithm");
    Objects.requireNonNull(hex, "hex");
    if (!algorithm.isValidEncoded(hex)) {
      throw new IllegalArgumentException(
          "invalid " + algorithm.id() + " digest encoding: " + abbreviate(hex));
    }
  }

  /**
   * Parses {@code algorithm:hex}.
   *
   * @throws IllegalArgumentException if the text is not a valid, supported digest
   */
  public static Digest parse(String text) {
    Objects.requireNonNull(text, "digest");
    int colon = text.indexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("invalid digest: " + abbreviate(text));
    }
    return new Digest(DigestAlgorithm.fromId(text.substring(0, colon)), text.substring(colon + 1));
  }

  /** Whether {@code text} parses as a digest. */
  public static boolean isValid(String text) {
    try {
      parse(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static Digest fromRaw(DigestAlgorithm algorithm, byte[] raw) {
    return new Digest(algorithm, HexFormat.of().formatHex(raw));
  }

  /** The sha256 digest of {@code bytes}. */
  public static Digest sha256(byte[] bytes) {
    return of(DigestAlgorithm.SHA256, bytes, 0, bytes.length);
  }

  /** The digest of {@code bytes} with {@code algorithm}. */
  public static Digest of(DigestAlgorithm algorithm, byte[] bytes, int off, int len) {
    java.util.Objects.checkFromIndexSize(off, len, bytes.length);
    if (len <= SizedDigestEngine.LARGE) {
      return fromRaw(algorithm, DigestEngines.system().digestWhole(algorithm, bytes, off, len));
    }
    Hasher h = algorithm.newHasher();
    h.update(bytes, off, len);
    return h.digest();
  }

  /**
   * The digest, as raw bytes, of the bytes of {@code content} between its position and limit,
   * which are left as they are. A direct buffer's bytes are hashed where they lie, by libcrypto
   * in one call where it is worth it: a walk that reads small files into a direct buffer hashes
   * each without copying it.
   */
  public static byte[] raw(DigestAlgorithm algorithm, java.nio.ByteBuffer content) {
    byte[] raw = DigestEngines.system().digestDirect(algorithm, content);
    if (raw != null) {
      return raw;
    }
    byte[] bytes = new byte[content.remaining()];
    content.get(content.position(), bytes);
    if (bytes.length <= SizedDigestEngine.LARGE) {
      return DigestEngines.system().digestWhole(algorithm, bytes, 0, bytes.length);
    }
    return HexFormat.of().parseHex(of(algorithm, bytes, 0, bytes.length).hex());
  }

  /**
   * The sha256 of {@code text} as UTF-8, with the file names in it as their own bytes (see {@link
   * FileNames}): two names that differ only in a byte that is not UTF-8 never hash alike.
   */
  public static Digest sha256(String text) {
    return sha256(FileNames.encode(text));
  }

  /** Reads {@code in} to its end and returns its sha256 digest. Does not close the stream. */
  public static Digest sha256(InputStream in) throws IOException {
    Hasher h = DigestAlgorithm.SHA256.newHasher();
    byte[] buf = new byte[64 * 1024];
    int n;
    while ((n = in.read(buf)) >= 0) {
      h.update(buf, 0, n);
    }
    return h.digest();
  }

  /** Short form for tables: the first 12 hex characters. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  /** The canonical string form, e.g. {@code sha256:...}. */
  @Override
  public String toString() {
    return algorithm.id() + ":" + hex;
  }

  // equals and hashCode by hand: a record's generated ones are linked at their first call through
  // invokedynamic, which costs a container start (whose image lookup hashes digests) about 15 ms.
  @Override
  public boolean equals(Object o) {
    return o instanceof Digest d && algorithm == d.algorithm && hex.equals(d.hex);
  }

  @Override
  public int hashCode() {
    return 31 * algorithm.hashCode() + hex.hashCode();
  }

  @Override
  public int compareTo(Digest o) {
    return toString().compareTo(o.toString());
  }

  private static String abbreviate(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
