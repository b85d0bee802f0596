package dev.lamina.layerfs.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HasherTest {
  private static final int LARGE = SizedDigestEngine.LARGE;

  @Test
  void newHasher_knownVectors() {
    byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
    assertEquals("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        Digest.of(DigestAlgorithm.SHA256, abc, 0, 3).toString());
    assertEquals("sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        Digest.of(DigestAlgorithm.SHA512, abc, 0, 3).toString());
  }

  /**
   * Small content is hashed in Java, content over 1 MiB by libcrypto where it loads: the lengths
   * around that boundary, fed in uneven pieces or at once, must not change the digest.
   */
  @ParameterizedTest
  @EnumSource(DigestAlgorithm.class)
  void newHasher_agreesWithBouncyCastleOnEveryLength(DigestAlgorithm algorithm) {
    Random random = new Random(11);
    int[] lengths = {
      0, 1, 55, 56, 63, 64, 65, 111, 112, 128, 1000, 70_001, LARGE - 1, LARGE, LARGE + 1,
      2 * LARGE + 3
    };
    for (int length : lengths) {
      byte[] data = new byte[length];
      random.nextBytes(data);
      Hasher whole = algorithm.newHasher();
      whole.update(data, 0, length);
      Hasher pieces = algorithm.newHasher();
      Hasher bc = algorithm.newBouncyCastleHasher();
      // uneven pieces, single bytes included, exercise the buffering of both
      int off = 0;
      while (off < length) {
        int n = Math.min(length - off, 1 + random.nextInt(300));
        if (n == 1) {
          pieces.update(data[off]);
          bc.update(data[off]);
        } else {
          pieces.update(data, off, n);
          bc.update(data, off, n);
        }
        off += n;
      }
      assertEquals(length, pieces.count());
      Digest expected = bc.digest();
      assertEquals(expected, pieces.digest(), algorithm + " of " + length + " bytes in pieces");
      assertEquals(expected, whole.digest(), algorithm + " of " + length + " bytes at once");
    }
  }

  @Test
  void newHasher_singleBytesAcrossTheLargeBoundary() {
    byte[] data = new byte[LARGE + 5000];
    new Random(3).nextBytes(data);
    Hasher hasher = DigestAlgorithm.SHA256.newHasher();
    for (byte b : data) {
      hasher.update(b);
    }
    assertEquals(Digest.of(DigestAlgorithm.SHA256, data, 0, data.length), hasher.digest());
  }

  @ParameterizedTest
  @EnumSource(DigestAlgorithm.class)
  void digest_isFinal_andRepeatable(DigestAlgorithm algorithm) {
    for (int length : new int[] {3, LARGE + 1}) {
      Hasher hasher = algorithm.newHasher();
      hasher.update(new byte[length], 0, length);
      Digest first = hasher.digest();
      assertSame(first, hasher.digest());
      assertThrows(IllegalStateException.class, () -> hasher.update((byte) 1));
      assertThrows(IllegalStateException.class, () -> hasher.update(new byte[1], 0, 1));
      assertEquals(length, hasher.count());
    }
  }

  @Test
  void update_outsideTheArray_isRefused() {
    Hasher hasher = DigestAlgorithm.SHA256.newHasher();
    byte[] buf = new byte[10];
    assertThrows(IndexOutOfBoundsException.class, () -> hasher.update(buf, 5, 6));
    assertThrows(IndexOutOfBoundsException.class, () -> hasher.update(buf, -1, 2));
    assertThrows(IndexOutOfBoundsException.class, () -> hasher.update(buf, 0, -1));
    assertEquals(0, hasher.count());
  }
}
