package dev.lamina.layerfs.digest;

import com.kenai.jffi.ArrayFlags;
import com.kenai.jffi.Function;
import com.kenai.jffi.HeapInvocationBuffer;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.Library;
import com.kenai.jffi.Type;
import dev.lamina.layerfs.posix.NativeFunctions;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * SHA-2 from OpenSSL's libcrypto through its EVP API. libcrypto uses the CPU's SHA instructions
 * whatever the JVM's compilers, where the JDK's SHA-256 needs C2 for them and runs about ten times
 * slower under C1 alone.
 *
 * <p>Called through jffi, the foreign-call layer under jnr-ffi, rather than a jnr-ffi interface:
 * jnr-ffi generates a class per interface, which costs 20 to 50 ms in a cold JVM, where looking up
 * these eight functions costs a few (once jffi itself is loaded).
 *
 * <p>A context is a native {@code EVP_MD_CTX *} as a {@code long}; the caller frees it exactly once.
 * Linux on 64-bit CPUs only: pointers and {@code size_t} are passed as {@code long}s.
 */
final class LibCrypto {
  /** The library of OpenSSL 3 (Debian's libssl3). */
  static final String SONAME = "libcrypto.so.3";

  /**
   * The most one native call hashes: libcrypto reads the Java array in place (pinned), which holds
   * the garbage collector off until the call returns, so calls are kept short (under 1 ms).
   */
  private static final int MAX_CALL_BYTES = 1 << 20;

  private static final String ABC_SHA256 =
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  private static final String ABC_SHA512 =
      "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
          + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f";

  private final String soname;
  private final Invoker invoker = Invoker.getInstance();
  private final Function ctxNew;
  private final Function ctxFree;
  private final Function digestInit;
  private final Function digestUpdate;
  private final Function digestFinal;
  private final Function digestOnce;
  private final long sha256;
  private final long sha512;

  private LibCrypto(String soname, Library library) {
    this.soname = soname;
    ctxNew = function(library, "EVP_MD_CTX_new", Type.POINTER);
    ctxFree = function(library, "EVP_MD_CTX_free", Type.VOID, Type.POINTER);
    digestInit =
        function(library, "EVP_DigestInit_ex", Type.SINT, Type.POINTER, Type.POINTER, Type.POINTER);
    digestUpdate =
        function(library, "EVP_DigestUpdate", Type.SINT, Type.POINTER, Type.POINTER, Type.ULONG);
    digestFinal =
        function(library, "EVP_DigestFinal_ex", Type.SINT, Type.POINTER, Type.POINTER, Type.POINTER);
    digestOnce = function(library, "EVP_Digest", Type.SINT, Type.POINTER, Type.ULONG,
        Type.POINTER, Type.POINTER, Type.POINTER, Type.POINTER);
    // EVP_sha256() and EVP_sha512() return static descriptions, valid while the library is loaded
    sha256 = invoker.invokeVrL(function(library, "EVP_sha256", Type.POINTER));
    sha512 = invoker.invokeVrL(function(library, "EVP_sha512", Type.POINTER));
  }

  /**
   * Loads {@code soname} and checks that it hashes as the standard says.
   *
   * @throws LinkageError if the library or one of its functions is missing, or it hashes wrongly
   * @throws RuntimeException if jffi cannot call it
   */
  static LibCrypto load(String soname) {
    LibCrypto crypto = new LibCrypto(soname, NativeFunctions.library(soname));
    crypto.checkKnownAnswers();
    return crypto;
  }

  private static Function function(Library library, String name, Type result, Type... params) {
    return NativeFunctions.function(library, name, false, result, params);
  }

  /** A new context, ready to hash with {@code algorithm}. */
  long newContext(DigestAlgorithm algorithm) {
    long ctx = invoker.invokeVrL(ctxNew);
    if (ctx == 0) {
      throw new OutOfMemoryError("EVP_MD_CTX_new failed");
    }
    long md = algorithm == DigestAlgorithm.SHA256 ? sha256 : sha512;
    if ((int) invoker.invokeLLLrL(digestInit, ctx, md, 0) != 1) {
      free(ctx);
      throw new IllegalStateException("EVP_DigestInit_ex failed for " + algorithm.id());
    }
    return ctx;
  }

  void update(long ctx, byte[] buf, int off, int len) {
    while (len > 0) {
      int n = Math.min(len, MAX_CALL_BYTES);
      HeapInvocationBuffer args = new HeapInvocationBuffer(digestUpdate);
      args.putAddress(ctx);
      args.putArray(buf, off, n, ArrayFlags.IN | ArrayFlags.PINNED);
      args.putLong(n);
      if (invoker.invokeInt(digestUpdate, args) != 1) {
        throw new IllegalStateException("EVP_DigestUpdate failed");
      }
      off += n;
      len -= n;
    }
  }

  /** Writes the digest of {@code ctx} into {@code out}, which is exactly the digest's length. */
  void finish(long ctx, byte[] out) {
    HeapInvocationBuffer args = new HeapInvocationBuffer(digestFinal);
    args.putAddress(ctx);
    args.putArray(out, 0, out.length, ArrayFlags.OUT);
    args.putAddress(0);
    if (invoker.invokeInt(digestFinal, args) != 1) {
      throw new IllegalStateException("EVP_DigestFinal_ex failed");
    }
  }

  /**
   * Writes the digest of {@code len} bytes of {@code buf} from {@code off} into {@code out}
   * (exactly the digest's length) in one call: libcrypto makes, uses and frees its context itself,
   * where {@link #newContext}, {@link #update}, {@link #finish} and {@link #free} cost a call
   * through jffi each. At most {@link #MAX_CALL_BYTES}, as the array is pinned for the call.
   */
  void digest(DigestAlgorithm algorithm, byte[] buf, int off, int len, byte[] out) {
    if (len > MAX_CALL_BYTES) {
      throw new IllegalArgumentException("one call hashes at most " + MAX_CALL_BYTES + " bytes");
    }
    HeapInvocationBuffer args = new HeapInvocationBuffer(digestOnce);
    args.putArray(buf, off, len, ArrayFlags.IN | ArrayFlags.PINNED);
    args.putLong(len);
    args.putArray(out, 0, out.length, ArrayFlags.OUT);
    args.putAddress(0);
    args.putAddress(algorithm == DigestAlgorithm.SHA256 ? sha256 : sha512);
    args.putAddress(0);
    if (invoker.invokeInt(digestOnce, args) != 1) {
      throw new IllegalStateException("EVP_Digest failed");
    }
  }

  /**
   * Writes the digest of the {@code len} bytes at native address {@code address} to the native
   * address {@code out} (room for the digest), in one call that passes only numbers: nothing is
   * pinned or copied, and jffi allocates nothing, where {@link #digest(DigestAlgorithm, byte[],
   * int, int, byte[])} makes an invocation buffer and passes two arrays.
   */
  void digest(DigestAlgorithm algorithm, long address, long len, long out) {
    long md = algorithm == DigestAlgorithm.SHA256 ? sha256 : sha512;
    if ((int) invoker.invokeLLLLLLrL(digestOnce, address, len, out, 0, md, 0) != 1) {
      throw new IllegalStateException("EVP_Digest failed");
    }
  }

  void free(long ctx) {
    invoker.invokeLrL(ctxFree, ctx);
  }

  /** Hashes FIPS 180's "abc" example with both algorithms, as a check that the binding works. */
  private void checkKnownAnswers() {
    byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
    for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
      byte[] actual = new byte[algorithm.hexLength() / 2];
      long ctx = newContext(algorithm);
      try {
        update(ctx, abc, 0, abc.length);
        finish(ctx, actual);
      } finally {
        free(ctx);
      }
      String expected = algorithm == DigestAlgorithm.SHA256 ? ABC_SHA256 : ABC_SHA512;
      byte[] once = new byte[actual.length];
      digest(algorithm, abc, 0, abc.length, once);
      if (!HexFormat.of().formatHex(actual).equals(expected)
          || !HexFormat.of().formatHex(once).equals(expected)) {
        throw new LinkageError(soname + " computes a wrong " + algorithm.id());
      }
    }
  }

  @Override
  public String toString() {
    return soname;
  }
}
