package dev.lamina.layerfs.digest;

import java.lang.ref.Cleaner;
import java.lang.ref.Reference;

/**
 * A digest computed by libcrypto in a native context. {@link #finish()} frees the context; a
 * {@link Cleaner} frees the context of an engine abandoned before it finished.
 */
final class NativeDigestEngine implements DigestEngine {
  private static final Cleaner CLEANER = Cleaner.create();

  /** Single bytes are gathered up to this many, so that each does not cost a native call. */
  private static final int GATHERED_BYTES = 4096;

  private final LibCrypto crypto;
  private final int digestLength;
  private final long ctx;
  private final Cleaner.Cleanable free;
  private byte[] gathered;
  private int gatheredLength;

  NativeDigestEngine(LibCrypto crypto, DigestAlgorithm algorithm) {
    this.crypto = crypto;
    this.digestLength = algorithm.hexLength() / 2;
    this.ctx = crypto.newContext(algorithm);
    this.free = CLEANER.register(this, new Free(crypto, ctx));
  }

  @Override
  public void update(byte b) {
    if (gathered == null) {
      gathered = new byte[GATHERED_BYTES];
    } else if (gatheredLength == gathered.length) {
      hashGathered();
    }
    gathered[gatheredLength++] = b;
  }

  @Override
  public void update(byte[] buf, int off, int len) {
    hashGathered();
    try {
      crypto.update(ctx, buf, off, len);
    } finally {
      // Without this the engine may become unreachable while libcrypto still reads ctx, and the
      // cleaner could free it under the call.
      Reference.reachabilityFence(this);
    }
  }

  @Override
  public byte[] finish() {
    try {
      hashGathered();
      byte[] out = new byte[digestLength];
      crypto.finish(ctx, out);
      return out;
    } finally {
      free.clean();
    }
  }

  private void hashGathered() {
    if (gatheredLength > 0) {
      try {
        crypto.update(ctx, gathered, 0, gatheredLength);
      } finally {
        Reference.reachabilityFence(this);
      }
      gatheredLength = 0;
    }
  }

  /** Frees one context, once; refers to no engine, so that an abandoned engine can be collected. */
  private record Free(LibCrypto crypto, long ctx) implements Runnable {
    @Override
    public void run() {
      crypto.free(ctx);
    }
  }
}
