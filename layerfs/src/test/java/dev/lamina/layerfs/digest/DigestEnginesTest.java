package dev.lamina.layerfs.digest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Without a usable libcrypto, large content is hashed in Java: same digests, nothing said. */
class DigestEnginesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "libcrypto.so.0-absent", // no such library
        "libc.so.6" // a library, without the EVP functions
      })
  void unusableLibrary_fallsBackToJava_silently(String soname) {
    DigestEngines engines = new DigestEngines(soname);
    ByteArrayOutputStream said = new ByteArrayOutputStream();
    PrintStream out = System.out;
    PrintStream err = System.err;
    System.setOut(new PrintStream(said, true));
    System.setErr(new PrintStream(said, true));
    try {
      assertNull(engines.libcrypto());
      assertNull(engines.libcrypto(), "a failed load is remembered");
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
    assertEquals("", said.toString());
    assertInstanceOf(JdkDigestEngine.class, engines.forLargeContent(DigestAlgorithm.SHA256));
  }

  @ParameterizedTest
  @EnumSource(DigestAlgorithm.class)
  void largeContent_withoutLibcrypto_hasTheJdksDigest(DigestAlgorithm algorithm) {
    DigestEngines engines = new DigestEngines("libcrypto.so.0-absent");
    byte[] data = new byte[3 * SizedDigestEngine.LARGE + 5];
    new Random(5).nextBytes(data);
    Hasher hasher = new Hasher(algorithm, new SizedDigestEngine(algorithm, engines));
    hasher.update(data, 0, data.length);
    Hasher jdk = new Hasher(algorithm, JdkDigestEngine.of(algorithm));
    jdk.update(data, 0, data.length);
    assertEquals(jdk.digest(), hasher.digest());
  }

  @Test
  void load_ofAMissingLibrary_saysWhy() {
    UnsatisfiedLinkError e =
        assertThrows(UnsatisfiedLinkError.class, () -> LibCrypto.load("libcrypto.so.0-absent"));
    assertTrue(e.getMessage().contains("libcrypto.so.0-absent"), e.getMessage());
  }

  @Test
  void load_ofALibraryWithoutEvp_namesTheMissingFunction() {
    UnsatisfiedLinkError e =
        assertThrows(UnsatisfiedLinkError.class, () -> LibCrypto.load("libc.so.6"));
    assertTrue(e.getMessage().startsWith("EVP_MD_CTX_new"), e.getMessage());
  }
}
