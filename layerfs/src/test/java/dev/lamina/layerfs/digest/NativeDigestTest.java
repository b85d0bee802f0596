package dev.lamina.layerfs.digest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** libcrypto's digests, against the JDK's and the standard's vectors. */
class NativeDigestTest {
  private static final int MIB = 1 << 20;

  private static LibCrypto libcrypto() {
    LibCrypto crypto = DigestEngines.system().libcrypto();
    Requirements.require(crypto != null, LibCrypto.SONAME + " (apt-get install libssl3)");
    return crypto;
  }

  @ParameterizedTest
  @EnumSource(DigestAlgorithm.class)
  void agreesWithTheJdk_onEverySizeAndChunking(DigestAlgorithm algorithm) {
    LibCrypto crypto = libcrypto();
    Random random = new Random(23);
    int[] sizes = {
      0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000, 4095, 4096, 4097, 65_536,
      MIB - 1, MIB, MIB + 1, 3 * MIB + 17
    };
    for (int size : sizes) {
      byte[] data = new byte[size];
      random.nextBytes(data);
      byte[] expected = hash(JdkDigestEngine.of(algorithm), data, n -> n);
      // whole; 64-byte blocks; short pieces and single bytes; long pieces across the 1 MiB calls
      IntUnaryOperator[] chunkings = {
        n -> n, n -> Math.min(n, 64), n -> Math.min(n, 1 + random.nextInt(300)),
        n -> Math.min(n, 1 + random.nextInt(3 * MIB))
      };
      for (IntUnaryOperator chunking : chunkings) {
        byte[] actual = hash(new NativeDigestEngine(crypto, algorithm), data, chunking);
        assertEquals(
            HexFormat.of().formatHex(expected),
            HexFormat.of().formatHex(actual),
            algorithm.id() + " of " + size + " bytes");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(DigestAlgorithm.class)
  void oneCall_agreesWithTheJdk_andContentKnownWholeIsHashedTheSame(DigestAlgorithm algorithm) {
    LibCrypto crypto = libcrypto();
    Random random = new Random(29);
    for (int size : new int[] {0, 1, 55, 64, 1023, 1024, 1500, 4096, 65_535, 65_536, 65_537,
        MIB - 1, MIB}) {
      byte[] data = new byte[size + 7];
      random.nextBytes(data);
      JdkDigestEngine jdk = JdkDigestEngine.of(algorithm);
      jdk.update(data, 3, size);
      byte[] expected = jdk.finish();
      byte[] once = new byte[expected.length];
      crypto.digest(algorithm, data, 3, size, once);
      assertArrayEquals(expected, once, algorithm.id() + " of " + size + " bytes in one call");
      assertArrayEquals(expected, DigestEngines.system().digestWhole(algorithm, data, 3, size),
          algorithm.id() + " of " + size + " bytes known whole");
      assertEquals(HexFormat.of().formatHex(expected),
          Digest.of(algorithm, data, 3, size).hex(), "Digest.of " + size + " bytes");
    }
  }

  @Test
  void knownVectors() {
    LibCrypto crypto = libcrypto();
    byte[] million = "a".repeat(1_000_000).getBytes(StandardCharsets.US_ASCII);
    byte[] abc = "abc".getBytes(StandardCharsets.US_ASCII);
    byte[] twoBlocks =
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            .getBytes(StandardCharsets.US_ASCII);
    assertVector(crypto, DigestAlgorithm.SHA256, new byte[0],
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assertVector(crypto, DigestAlgorithm.SHA256, abc,
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertVector(crypto, DigestAlgorithm.SHA256, twoBlocks,
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    assertVector(crypto, DigestAlgorithm.SHA256, million,
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    assertVector(crypto, DigestAlgorithm.SHA512, new byte[0],
        "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
            + "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e");
    assertVector(crypto, DigestAlgorithm.SHA512, abc,
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f");
    assertVector(crypto, DigestAlgorithm.SHA512, twoBlocks,
        "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c335"
            + "96fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445");
    assertVector(crypto, DigestAlgorithm.SHA512, million,
        "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973eb"
            + "de0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b");
  }

  /**
   * A leaked context costs a few hundred bytes of native memory; a million of them would show in
   * the process's resident size, finished or abandoned alike.
   */
  @Test
  void contexts_areFreed_whenFinishedOrAbandoned() throws Exception {
    LibCrypto crypto = libcrypto();
    byte[] data = new byte[100];
    churn(crypto, data, 50_000); // warm: malloc arenas, heap, compiled code
    long before = residentBytes();
    churn(crypto, data, 1_000_000);
    long grown = residentBytes() - before;
    assertTrue(grown < 64L * MIB, "resident size grew by " + grown / MIB + " MiB");
  }

  /** Makes {@code n} contexts: finishes half of them, abandons the other half to the cleaner. */
  private static void churn(LibCrypto crypto, byte[] data, int n) throws InterruptedException {
    for (int i = 0; i < n; i++) {
      NativeDigestEngine engine = new NativeDigestEngine(crypto, DigestAlgorithm.SHA256);
      engine.update(data, 0, data.length);
      if (i % 2 == 0) {
        engine.finish();
      }
      if (i % 100_000 == 0) {
        System.gc(); // queues the abandoned engines for the cleaner
      }
    }
    System.gc();
    Thread.sleep(500); // the cleaner's thread frees what the collection found
  }

  private static long residentBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    throw new IOException("no VmRSS in /proc/self/status");
  }

  private static void assertVector(
      LibCrypto crypto, DigestAlgorithm algorithm, byte[] data, String hex) {
    byte[] actual = hash(new NativeDigestEngine(crypto, algorithm), data, n -> n);
    assertArrayEquals(HexFormat.of().parseHex(hex), actual, algorithm.id());
  }

  /** Hashes {@code data} in pieces of {@code chunking(remaining)} bytes; single bytes as bytes. */
  private static byte[] hash(DigestEngine engine, byte[] data, IntUnaryOperator chunking) {
    int off = 0;
    while (off < data.length) {
      int n = chunking.applyAsInt(data.length - off);
      if (n == 1) {
        engine.update(data[off]);
      } else {
        engine.update(data, off, n);
      }
      off += n;
    }
    return engine.finish();
  }

  @Test
  void manySmallContents_goToLibcrypto_onceAMibHasBeenHashedInAll() {
    libcrypto();
    DigestEngines engines = new DigestEngines(LibCrypto.SONAME);
    DigestAlgorithm sha = DigestAlgorithm.SHA256;
    int size = 64 * 1024;
    assertInstanceOf(
        Sha256Engine.class, engines.forSmallContent(sha, DigestEngines.WORTH_NATIVE - 1));
    int javaHashed = 0;
    while (engines.forSmallContent(sha, size) instanceof Sha256Engine) {
      javaHashed += size;
      assertTrue(javaHashed <= SizedDigestEngine.LARGE, "still Java after " + javaHashed);
    }
    assertEquals(SizedDigestEngine.LARGE, javaHashed, "Java until a MiB in all, then libcrypto");
    assertInstanceOf(NativeDigestEngine.class, engines.forSmallContent(sha, DigestEngines.WORTH_NATIVE));
    assertInstanceOf(Sha256Engine.class, engines.forSmallContent(sha, 100), "tiny stays Java");
    byte[] data = new byte[size];
    new Random(3).nextBytes(data);
    Hasher sized = new Hasher(sha, new SizedDigestEngine(sha, engines));
    sized.update(data, 0, data.length);
    Hasher jdk = new Hasher(sha, JdkDigestEngine.of(sha));
    jdk.update(data, 0, data.length);
    assertEquals(jdk.digest(), sized.digest());
    // Loaded now: content that grows past 4 KiB leaves the held bytes for libcrypto mid-stream.
    Hasher pieces = new Hasher(sha, new SizedDigestEngine(sha, engines));
    for (int off = 0; off < data.length; off += 1000) {
      pieces.update(data, off, Math.min(1000, data.length - off));
    }
    assertEquals(jdk.digest(), pieces.digest());
  }
}
