package dev.lamina.layerfs.digest;

/**
 * Where hashers get their engines: small content is hashed in Java, large content by libcrypto.
 * libcrypto is loaded on the first large content (loading jffi and the library costs tens of
 * milliseconds in a cold JVM, so commands that hash only small documents never pay it). When it
 * cannot be loaded, large content is hashed in Java too, silently: the digests are the same, only
 * slower under C1.
 */
final class DigestEngines {
  private static final DigestEngines SYSTEM = new DigestEngines(LibCrypto.SONAME);

  private final String soname;
  private boolean tried;
  private LibCrypto crypto;

  /** Engines with libcrypto from the library {@code soname}. */
  DigestEngines(String soname) {
    this.soname = soname;
  }

  /** Engines with the system's libcrypto. */
  static DigestEngines system() {
    return SYSTEM;
  }

  DigestEngine forSmallContent(DigestAlgorithm algorithm) {
    return JdkDigestEngine.of(algorithm);
  }

  DigestEngine forLargeContent(DigestAlgorithm algorithm) {
    LibCrypto c = libcrypto();
    return c != null ? new NativeDigestEngine(c, algorithm) : JdkDigestEngine.of(algorithm);
  }

  /** libcrypto, loaded on the first call; null if it cannot be. */
  synchronized LibCrypto libcrypto() {
    if (!tried) {
      tried = true;
      try {
        crypto = LibCrypto.load(soname);
      } catch (LinkageError | RuntimeException e) {
        // Hashed in Java instead; not tried again, or every large content would pay the failure.
      }
    }
    return crypto;
  }
}
