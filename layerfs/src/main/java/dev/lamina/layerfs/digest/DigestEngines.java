package dev.lamina.layerfs.digest;

import com.kenai.jffi.MemoryIO;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where hashers get their engines: small content is hashed in Java (SHA-256 by {@link
 * Sha256Engine}), large content by libcrypto.
 * libcrypto is loaded on the first large content (loading jffi and the library costs tens of
 * milliseconds in a cold JVM, so commands that hash only small documents never pay it). When it
 * cannot be loaded, large content is hashed in Java too, silently: the digests are the same, only
 * slower under C1.
 */
final class DigestEngines {
  private static final DigestEngines SYSTEM = new DigestEngines(LibCrypto.SONAME);

  /**
   * Content this long is worth libcrypto once it is loaded: a digest there is about five calls
   * through jffi (context, init, update, final, free) of about a microsecond each, the JDK's
   * sha256 under C1 about 9 ns a byte, so libcrypto wins from well under a KiB. A build context
   * of a million files of a KiB or two was hashed in Java whole below the 4 KiB this once was
   * (a fifth of the building thread's time in a profile of such a build).
   */
  static final int WORTH_NATIVE = 1024;

  /** Direct content this long is hashed by libcrypto (see {@link #digestDirect}). */
  static final int WORTH_NATIVE_DIRECT = 128;

  /** Each thread's native room for a digest ({@link #digestDirect}). */
  private static final ThreadLocal<ByteBuffer> DIGEST_OUT =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(64));

  private final String soname;
  private final AtomicLong smallBytes = new AtomicLong();
  private volatile boolean loaded;
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

  /**
   * The engine for content of {@code length} bytes, under {@link SizedDigestEngine#LARGE}: Java,
   * unless the content is worth a native call ({@link #WORTH_NATIVE}) and either libcrypto is
   * loaded already or this process has hashed more than {@code LARGE} bytes of small content in
   * all. A build context of thousands of small files is such a process: under C1 the JDK would
   * hash it about ten times slower.
   */
  DigestEngine forSmallContent(DigestAlgorithm algorithm, int length) {
    if (length >= WORTH_NATIVE
        && (loaded() || smallBytes.addAndGet(length) > SizedDigestEngine.LARGE)) {
      return forLargeContent(algorithm);
    }
    // SHA-256 of small content in plain Java: MessageDigest's providers cost more to start.
    return algorithm == DigestAlgorithm.SHA256 ? new Sha256Engine() : JdkDigestEngine.of(algorithm);
  }

  /**
   * The digest of content known whole, of at most {@link SizedDigestEngine#LARGE} bytes: by the
   * engine {@link #forSmallContent} would choose, but libcrypto in one call (see {@link
   * LibCrypto#digest}) rather than five. A build context of a million small files makes a million
   * of these.
   */
  byte[] digestWhole(DigestAlgorithm algorithm, byte[] buf, int off, int len) {
    if (len >= WORTH_NATIVE && (loaded() || smallBytes.addAndGet(len) > SizedDigestEngine.LARGE)) {
      LibCrypto c = libcrypto();
      if (c != null) {
        byte[] out = new byte[algorithm.hexLength() / 2];
        c.digest(algorithm, buf, off, len, out);
        return out;
      }
    }
    DigestEngine e =
        algorithm == DigestAlgorithm.SHA256 ? new Sha256Engine() : JdkDigestEngine.of(algorithm);
    e.update(buf, off, len);
    return e.finish();
  }

  /**
   * The digest of the bytes of the direct buffer {@code content} between its position and limit
   * (left as they are), or null where it is not worth libcrypto or libcrypto cannot be loaded:
   * hashed where it lies, in one call (see {@link LibCrypto#digest(DigestAlgorithm, long, long,
   * long)}). Content worth it is shorter than for an array ({@link #WORTH_NATIVE}): the call
   * passes only numbers.
   */
  byte[] digestDirect(DigestAlgorithm algorithm, ByteBuffer content) {
    int len = content.remaining();
    if (!content.isDirect() || len < WORTH_NATIVE_DIRECT
        || !(loaded() || smallBytes.addAndGet(len) > SizedDigestEngine.LARGE)) {
      return null;
    }
    LibCrypto c = libcrypto();
    if (c == null) {
      return null;
    }
    ByteBuffer out = DIGEST_OUT.get();
    MemoryIO memory = MemoryIO.getInstance();
    c.digest(algorithm, memory.getDirectBufferAddress(content) + content.position(), len,
        memory.getDirectBufferAddress(out));
    byte[] raw = new byte[algorithm.hexLength() / 2];
    out.get(0, raw);
    Reference.reachabilityFence(content);
    return raw;
  }

  DigestEngine forLargeContent(DigestAlgorithm algorithm) {
    LibCrypto c = libcrypto();
    return c != null ? new NativeDigestEngine(c, algorithm) : JdkDigestEngine.of(algorithm);
  }

  /** Whether libcrypto is loaded (and so cheap to use for content of any size worth it). */
  boolean loaded() {
    return loaded;
  }

  /** libcrypto, loaded on the first call; null if it cannot be. */
  synchronized LibCrypto libcrypto() {
    if (!tried) {
      tried = true;
      try {
        crypto = LibCrypto.load(soname);
        loaded = true;
      } catch (LinkageError | RuntimeException e) {
        // Hashed in Java instead; not tried again, or every large content would pay the failure.
      }
    }
    return crypto;
  }
}
