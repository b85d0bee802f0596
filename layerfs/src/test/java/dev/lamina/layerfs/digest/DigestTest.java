package dev.lamina.layerfs.digest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {
  static final String EMPTY_SHA256 =
      "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  @Test
  void sha256_ofEmptyInput_isTheKnownValue() {
    assertEquals(EMPTY_SHA256, Digest.sha256(new byte[0]).toString());
  }

  @Test
  void equality_byAlgorithmAndHex() {
    Digest a = Digest.parse(EMPTY_SHA256);
    Digest b = Digest.sha256(new byte[0]);
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, Digest.sha256("x"));
    assertNotEquals(
        Digest.parse("sha512:" + "a".repeat(128)), Digest.parse("sha512:" + "b".repeat(128)));
    assertNotEquals(a, EMPTY_SHA256);
    assertNotEquals(a, null);
  }

  @Test
  void sha512_isAccepted() {
    Digest d = Digest.parse("sha512:" + "a".repeat(128));
    assertEquals(DigestAlgorithm.SHA512, d.algorithm());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        "sha256:e3b0",
        "sha256:../../etc/passwd",
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ",
        ":abc",
        "sha256:",
        // one character next to the hex ranges ('9' + 1, 'a' - 1, 'f' + 1, '0' - 1)
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85:",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85`",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85g",
        "sha256:/3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
      })
  void parse_rejectsAnythingOutsideTheGrammar(String text) {
    assertThrows(IllegalArgumentException.class, () -> Digest.parse(text));
  }

  @Test
  void verifyingStream_acceptsExactContent() throws IOException {
    byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
    try (VerifyingInputStream in =
        new VerifyingInputStream(new ByteArrayInputStream(data), Digest.sha256(data), 5)) {
      assertArrayEquals(data, in.readAllBytes());
    }
  }

  @Test
  void verifyingStream_failsOnChangedAppendedOrPrependedByte() {
    byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
    Digest d = Digest.sha256(data);
    for (byte[] bad :
        new byte[][] {"hellp".getBytes(), "hello\0".getBytes(), "xhello".getBytes(), "hell".getBytes()}) {
      assertThrows(
          DigestMismatchException.class,
          () -> {
            try (InputStream in = new VerifyingInputStream(new ByteArrayInputStream(bad), d, 5)) {
              in.readAllBytes();
            }
          });
    }
  }

  @Test
  void verifyingStream_keepsFailingAfterTheFirstFailure() throws IOException {
    byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
    VerifyingInputStream in =
        new VerifyingInputStream(new ByteArrayInputStream("hellp".getBytes()), Digest.sha256(data), 5);
    assertThrows(DigestMismatchException.class, in::readAllBytes);
    assertThrows(DigestMismatchException.class, in::read);
  }
}
