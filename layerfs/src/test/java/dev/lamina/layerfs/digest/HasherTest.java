package dev.lamina.layerfs.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HasherTest {

  @Test
  void newHasher_knownVectors() {
    byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
    assertEquals("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        Digest.of(DigestAlgorithm.SHA256, abc, 0, 3).toString());
    assertEquals("sha512:ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        Digest.of(DigestAlgorithm.SHA512, abc, 0, 3).toString());
  }

  @ParameterizedTest
  @EnumSource(DigestAlgorithm.class)
  void newHasher_agreesWithBouncyCastleOnEveryLength(DigestAlgorithm algorithm) {
    Random random = new Random(11);
    for (int length : new int[] {0, 1, 55, 56, 63, 64, 65, 111, 112, 128, 1000, 70_001}) {
      byte[] data = new byte[length];
      random.nextBytes(data);
      Hasher jdk = algorithm.newHasher();
      Hasher bc = algorithm.newBouncyCastleHasher();
      // uneven pieces, single bytes included, exercise the buffering of both
      int off = 0;
      while (off < length) {
        int n = Math.min(length - off, 1 + random.nextInt(300));
        if (n == 1) {
          jdk.update(data[off]);
          bc.update(data[off]);
        } else {
          jdk.update(data, off, n);
          bc.update(data, off, n);
        }
        off += n;
      }
      assertEquals(length, jdk.count());
      assertEquals(bc.digest(), jdk.digest(), algorithm + " of " + length + " bytes");
    }
  }
}
