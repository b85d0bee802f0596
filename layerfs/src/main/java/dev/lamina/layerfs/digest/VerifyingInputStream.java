package dev.lamina.layerfs.digest;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads content that must have a known digest and size, failing with {@link
 * DigestMismatchException} the moment it is seen to be longer than promised, and at EOF if it is
 * shorter or hashes differently. A reader that stops before EOF has not verified anything: callers
 * drain the stream (see {@link #drainAndDigest()}) before trusting what they read, so bytes after a
 * tar's end-of-archive blocks are hashed too.
 */
public final class VerifyingInputStream extends DigestingInputStream {
  private final Digest expected;
  private final long expectedSize;
  private boolean verified;
  private DigestMismatchException failure;

  /**
   * @param expectedSize the promised size, or -1 if unknown (then only the digest is checked)
   */
  public VerifyingInputStream(InputStream in, Digest expected, long expectedSize) {
    super(in, expected.algorithm());
    this.expected = expected;
    this.expectedSize = expectedSize;
  }

  @Override
  protected void afterRead() throws IOException {
    if (expectedSize >= 0 && count() > expectedSize) {
      throw new DigestMismatchException(
          "content of " + expected + " is longer than its size " + expectedSize);
    }
  }

  @Override
  protected void onEof() throws IOException {
    // Remember the verdict: a caller that reads again after a failure must fail again.
    if (failure != null) {
      throw failure;
    }
    if (verified) {
      return;
    }
    if (expectedSize >= 0 && count() != expectedSize) {
      failure =
          new DigestMismatchException(
              "content of " + expected + " has size " + count() + ", expected " + expectedSize);
      throw failure;
    }
    Digest actual = digest();
    if (!actual.equals(expected)) {
      failure =
          new DigestMismatchException("content digest " + actual + " != expected " + expected);
      throw failure;
    }
    verified = true;
  }

  /** Reads to EOF, verifying, and returns the (verified) digest. */
  @Override
  public Digest drainAndDigest() throws IOException {
    byte[] buf = new byte[64 * 1024];
    while (read(buf, 0, buf.length) >= 0) {
      // verification happens at EOF
    }
    return expected;
  }

  /** Whether EOF was reached and the content matched. */
  public boolean isVerified() {
    return verified;
  }
}
