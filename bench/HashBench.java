import dev.lamina.layerfs.digest.DigestAlgorithm;
import dev.lamina.layerfs.digest.Hasher;
import dev.lamina.layerfs.posix.Posix;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Random;

/**
 * Hashing throughput and start-up costs, for bench/hash.sh. Modes:
 * {@code throughput jdk|lamina sha256|sha512 PIECES PASSES}: PIECES pieces of 1 MiB hashed PASSES
 * times, by the JDK's MessageDigest or a Lamina hasher (libcrypto for content over 1 MiB); prints
 * MB/s of each pass (the first includes the JIT's warm-up).
 * {@code first [after-jnr]}: the cost of the first large hasher in this JVM (loading jffi and
 * libcrypto), optionally after jnr-ffi was loaded for a libc call, as a layer extraction does.
 */
public class HashBench {
  private static final int MIB = 1 << 20;

  public static void main(String[] args) throws Exception {
    byte[] piece = new byte[MIB];
    new Random(1).nextBytes(piece);
    if (args[0].equals("throughput")) {
      boolean jdk = args[1].equals("jdk");
      DigestAlgorithm algorithm = DigestAlgorithm.fromId(args[2]);
      int pieces = Integer.parseInt(args[3]);
      StringBuilder out = new StringBuilder();
      for (int pass = Integer.parseInt(args[4]); pass > 0; pass--) {
        long start = System.nanoTime();
        if (jdk) {
          String name = algorithm == DigestAlgorithm.SHA256 ? "SHA-256" : "SHA-512";
          MessageDigest md = MessageDigest.getInstance(name);
          for (int i = 0; i < pieces; i++) {
            md.update(piece, 0, MIB);
          }
          md.digest();
        } else {
          Hasher h = algorithm.newHasher();
          for (int i = 0; i < pieces; i++) {
            h.update(piece, 0, MIB);
          }
          h.digest();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.append(String.format(" %5.0f", (double) pieces * MIB / 1e6 / seconds));
      }
      System.out.println(out.toString().trim());
    } else {
      if (args.length > 1) {
        Path f = Files.createTempFile("hash-bench", "");
        Posix.lsetMtime(f, 0, 0); // binds libc through jnr-ffi
        Files.delete(f);
      }
      double first = twoMiB(piece);
      double second = twoMiB(piece);
      System.out.printf(
          "%.1f ms (first 2 MiB hasher %.1f ms, second %.1f ms)%n", first - second, first, second);
    }
  }

  private static double twoMiB(byte[] piece) {
    long start = System.nanoTime();
    Hasher h = DigestAlgorithm.SHA256.newHasher();
    h.update(piece, 0, MIB);
    h.update(piece, 0, MIB);
    h.digest();
    return (System.nanoTime() - start) / 1e6;
  }
}
