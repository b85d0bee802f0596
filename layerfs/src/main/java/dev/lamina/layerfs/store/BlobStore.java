package dev.lamina.layerfs.store;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestAlgorithm;
import dev.lamina.layerfs.digest.DigestMismatchException;
import dev.lamina.layerfs.digest.VerifyingInputStream;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Content-addressed blobs: each one is named by the digest of its bytes and never changes.
 *
 * <p>Every method is safe to call from several threads and several processes at once. Writes are
 * atomic (a blob is either wholly present under its name or absent) and idempotent (storing bytes
 * that are already there changes nothing). Every read is verified against the digest and the size
 * the caller expects; content that differs fails loudly with {@link DigestMismatchException}.
 */
public interface BlobStore {

  /**
   * Starts writing a blob whose digest is not known yet. Nothing is visible until {@link
   * BlobWriter#commit()}; closing the writer without committing discards what was written.
   *
   * @throws IOException if the temp file cannot be created
   */
  BlobWriter newWriter() throws IOException;

  /**
   * Stores everything {@code in} yields (sha256), reading it to EOF; idempotent and atomic. Does
   * not close {@code in}.
   *
   * @throws IOException if reading or writing fails (nothing is stored then)
   */
  default BlobInfo put(InputStream in) throws IOException {
    try (BlobWriter w = newWriter()) {
      in.transferTo(w);
      return w.commit();
    }
  }

  /**
   * Stores {@code bytes}; idempotent and atomic.
   *
   * @throws IOException if writing fails
   */
  default BlobInfo put(byte[] bytes) throws IOException {
    try (BlobWriter w = newWriter()) {
      w.write(bytes);
      return w.commit();
    }
  }

  /**
   * Stores {@code in} (read to EOF) as the blob {@code expected} describes, verifying digest and
   * size while streaming. Idempotent and atomic: on a mismatch nothing is stored.
   *
   * @return {@code expected}
   * @throws DigestMismatchException if the content's size or digest differs from {@code expected}
   * @throws IOException if reading or writing fails
   */
  default Descriptor putVerified(InputStream in, Descriptor expected) throws IOException {
    try (BlobWriter w = newWriter(expected.digest().algorithm())) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) >= 0) {
        w.write(buf, 0, n);
        if (w.count() > expected.size()) {
          throw new DigestMismatchException(
              "content of " + expected.digest() + " is longer than its size " + expected.size());
        }
      }
      w.commit(expected.digest(), expected.size());
      return expected;
    }
  }

  /**
   * Like {@link #newWriter()}, hashing with {@code algorithm} (for copying sha512 blobs as they
   * are).
   *
   * @throws IOException if the temp file cannot be created
   */
  BlobWriter newWriter(DigestAlgorithm algorithm) throws IOException;

  /**
   * Opens a blob for reading. The stream fails with {@link DigestMismatchException} as soon as it
   * sees more than {@code expectedSize} bytes, and at EOF if the size or digest differs: read it
   * to EOF before trusting anything read from it.
   *
   * @param expectedSize the size the caller's descriptor promises
   * @throws BlobNotFoundException if the blob is absent
   * @throws IOException if it cannot be opened
   */
  VerifyingInputStream open(Digest digest, long expectedSize) throws IOException;

  /**
   * Reads a small blob (manifest, index, config) whole and verified, capped at {@link
   * Json#MAX_METADATA_BYTES}.
   *
   * @throws BlobNotFoundException if it is absent
   * @throws DigestMismatchException if its content differs from {@code descriptor}
   * @throws IOException if it is larger than the cap or cannot be read
   */
  byte[] readVerified(Descriptor descriptor) throws IOException;

  /** Whether the blob is present (its content is not checked). */
  boolean exists(Digest digest) throws IOException;

  /**
   * The stored size of the blob, unverified.
   *
   * @throws BlobNotFoundException if it is absent
   */
  long size(Digest digest) throws IOException;

  /**
   * Removes a blob; idempotent. Callers that are not the garbage collector must make sure nothing
   * references it.
   *
   * @return whether it was present
   * @throws IOException if it cannot be removed
   */
  boolean delete(Digest digest) throws IOException;

  /**
   * Every stored blob, sorted. Files under {@code blobs/} whose names are not valid digests are not
   * blobs and are not listed.
   *
   * @throws IOException if the directory cannot be read
   */
  List<Digest> list() throws IOException;
}
