package dev.lamina.layerfs.transport;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestingInputStream;
import dev.lamina.layerfs.digest.VerifyingInputStream;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.store.BlobStore;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** A stored layer's uncompressed form: its diff_id and size, or its bytes. */
final class LayerDigests {
  private LayerDigests() {}

  /** What decompressing a layer gives. */
  record Uncompressed(LayerCompression compression, Digest diffId, long size) {}

  /**
   * Reads the stored layer (verified) and hashes its decompressed bytes, all of them, including
   * anything after the tar's end blocks.
   *
   * @throws IOException if the blob is missing, differs from {@code layer}, or does not decompress
   */
  static Uncompressed measure(BlobStore blobs, Descriptor layer) throws IOException {
    try (VerifyingInputStream raw = blobs.open(layer.digest(), layer.size())) {
      BufferedInputStream buffered = new BufferedInputStream(raw, 64 * 1024);
      LayerCompression c = LayerCompression.detect(buffered);
      DigestingInputStream plain = new DigestingInputStream(c.decompress(buffered));
      Digest diffId = plain.drainAndDigest();
      raw.drainAndDigest(); // the compressed blob is verified too, to its last byte
      return new Uncompressed(c, diffId, plain.count());
    }
  }

  /**
   * The stored layer's decompressed bytes, verified: the stream fails unless they hash to {@code
   * diffId} with {@code size} bytes and the stored blob matches {@code layer}.
   */
  static InputStream openUncompressed(BlobStore blobs, Descriptor layer, Digest diffId, long size)
      throws IOException {
    VerifyingInputStream raw = blobs.open(layer.digest(), layer.size());
    try {
      BufferedInputStream buffered = new BufferedInputStream(raw, 64 * 1024);
      LayerCompression c = LayerCompression.detect(buffered);
      InputStream plain = new VerifyingInputStream(c.decompress(buffered), diffId, size);
      return new FilterInputStream(plain) {
        @Override
        public int read() throws IOException {
          int b = super.read();
          if (b < 0) {
            raw.drainAndDigest();
          }
          return b;
        }

        @Override
        public int read(byte[] buf, int off, int len) throws IOException {
          int n = super.read(buf, off, len);
          if (n < 0) {
            raw.drainAndDigest();
          }
          return n;
        }
      };
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }
}
