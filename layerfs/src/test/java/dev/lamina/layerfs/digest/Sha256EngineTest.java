package dev.lamina.layerfs.digest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The plain-Java SHA-256 gives the JDK's digests, however the content is fed to it. */
class Sha256EngineTest {
  @Test
  void everyLengthAroundTheBlockBoundaries_givesTheJdksDigest() throws Exception {
    Random random = new Random(42);
    for (int length = 0; length <= 300; length++) {
      check(random, length);
    }
    for (int length : new int[] {1000, 4095, 4096, 65_537, 1 << 20}) {
      check(random, length);
    }
  }

  private static void check(Random random, int length) throws Exception {
    byte[] data = new byte[length];
    random.nextBytes(data);
    byte[] expected = MessageDigest.getInstance("SHA-256").digest(data);

    Sha256Engine whole = new Sha256Engine();
    whole.update(data, 0, length);
    assertArrayEquals(expected, whole.finish(), "length " + length);

    // In pieces of random sizes, single bytes among them.
    Sha256Engine pieces = new Sha256Engine();
    int off = 0;
    while (off < length) {
      int n = Math.min(length - off, random.nextInt(3) == 0 ? 1 : random.nextInt(130));
      if (n == 1) {
        pieces.update(data[off]);
      } else {
        pieces.update(data, off, n);
      }
      off += n;
    }
    assertArrayEquals(expected, pieces.finish(), "length " + length + " in pieces");
  }
}
