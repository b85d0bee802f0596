package dev.lamina.layerfs.tar;

import static dev.lamina.layerfs.tar.TarFixture.charDevice;
import static dev.lamina.layerfs.tar.TarFixture.fileEntry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random mutations of a valid layer (after moby/go-archive fuzz_test.go and umoci's fuzzers):
 * whatever the bytes, the applier throws nothing but IOException, never hangs, and never changes
 * anything outside the root. Seeds are fixed so a failure reproduces.
 */
class LayerApplierFuzzTest {
  private static final int ITERATIONS = 400;

  @TempDir Path tmp;

  static byte[] seedArchive() {
    return TarFixture.tar()
        .dir("etc")
        .file("etc/passwd", "root:x:0:0::/root:/bin/sh\n", 0644)
        .symlink("localetc", "/etc")
        .symlink("up", "../../victim")
        .hardlink("passwd-link", "etc/passwd")
        .add(fileEntry("d/" + "long".repeat(40), "long").xattr("user.k", "v"))
        .add(charDevice("dev/null", 1, 3))
        .file("d/.wh.gone", "")
        .file("d/.wh..wh..opq", "")
        .file("up/x", "through a link")
        .trailing(new byte[] {1, 2, 3})
        .bytes();
  }

  @Test
  @Timeout(300)
  void apply_mutatedArchives_onlyIoExceptionsAndNothingOutside() throws Exception {
    BreakoutHarness h = new BreakoutHarness(tmp.toRealPath());
    byte[] seed = seedArchive();
    ApplyOptions options =
        ApplyOptions.defaults(WhiteoutFormat.flatten())
            .withMaxTotalBytes(1 << 22)
            .withMaxEntries(10_000);
    int applied = 0;
    int rejected = 0;
    for (int i = 0; i < ITERATIONS; i++) {
      Random random = new Random(i);
      byte[] mutated = mutate(seed, random);
      try {
        ApplyResult r = LayerApplier.apply(new ByteArrayInputStream(mutated), h.dest, options);
        // Counted as the tree was made and unmade, it is what a walk of the tree counts.
        assertEquals(TreeTally.of(h.dest), r.tree().orElseThrow(), "seed " + i);
        applied++;
      } catch (IOException expected) {
        rejected++; // invalid layers are rejected; that is fine
      } catch (Throwable t) {
        fail("seed " + i + ": unexpected " + t, t);
      }
      h.assertUntouched();
      clear(h.dest);
    }
    // Both outcomes must occur, or the mutations exercise only one path.
    assertTrue(applied > ITERATIONS / 10 && rejected > ITERATIONS / 10, applied + "/" + rejected);
  }

  private static byte[] mutate(byte[] seed, Random random) {
    byte[] b = seed.clone();
    switch (random.nextInt(5)) {
      case 0 -> {
        for (int n = 1 + random.nextInt(8); n > 0; n--) {
          b[random.nextInt(b.length)] = (byte) random.nextInt(256);
        }
      }
      case 1 -> {
        // hostile text into a header's name or link field
        int header = 512 * random.nextInt(b.length / 512);
        byte[] text = pick(random, "../../victim/x", "/..", "..", "localetc/../..", ".wh..",
            "up/../../x", "/etc/passwd", "\0").getBytes();
        int field = random.nextBoolean() ? 0 : 157;
        System.arraycopy(text, 0, b, header + field, Math.min(text.length, 100));
      }
      case 2 -> {
        int header = 512 * random.nextInt(b.length / 512);
        b[header + 156] = (byte) "0123456789xgLKSVAZ\0".charAt(random.nextInt(19));
      }
      case 3 -> {
        // size field digits
        int header = 512 * random.nextInt(b.length / 512);
        for (int k = 0; k < 11; k++) {
          b[header + 124 + k] = (byte) ('0' + random.nextInt(8));
        }
      }
      default -> b = Arrays.copyOf(b, random.nextInt(b.length));
    }
    return b;
  }

  private static String pick(Random random, String... options) {
    return options[random.nextInt(options.length)];
  }

  private static void clear(Path dir) throws IOException {
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (!d.equals(dir)) {
              Files.delete(d);
            }
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
