package dev.lamina.layerfs.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestAlgorithm;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class UncompressedDigesterTest {
  private static final int[] PIECES = {1, 8192, 300_000, 7, 262_144, 65_536, 3};

  /** Writes {@code blob} in pieces of the sizes above, in turn, and finishes. */
  private static UncompressedDigester digest(byte[] blob) throws Exception {
    UncompressedDigester d = UncompressedDigester.start("test", DigestAlgorithm.SHA256);
    for (int off = 0, i = 0; off < blob.length; i++) {
      int n = Math.min(PIECES[i % PIECES.length], blob.length - off);
      d.write(blob, off, n);
      off += n;
    }
    d.finish();
    return d;
  }

  @Test
  void plainContent_inPiecesOfAnySize_digestsToItsOwnDigest() throws Exception {
    for (int size : new int[] {0, 1, 262_143, 262_144, 262_145, 3_000_001}) {
      byte[] plain = new byte[size];
      new Random(size).nextBytes(plain);
      try (UncompressedDigester d = digest(plain)) {
        assertEquals(Digest.sha256(plain), d.finish(), "size " + size);
        assertEquals(Compression.NONE, d.compression());
        assertEquals(size, d.uncompressedSize());
      }
    }
  }

  @Test
  void gzippedContent_inPiecesOfAnySize_digestsToTheDecompressedBytes() throws Exception {
    byte[] plain = new byte[2_000_003];
    new Random(5).nextBytes(plain);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(plain);
    }
    try (UncompressedDigester d = digest(gz.toByteArray())) {
      assertEquals(Digest.sha256(plain), d.finish());
      assertEquals(Compression.GZIP, d.compression());
      assertEquals(plain.length, d.uncompressedSize());
    }
  }
}
