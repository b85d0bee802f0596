package dev.lamina.layerfs.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.Requirements;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ParallelGzipOutputStreamTest {
  private static final int BLOCK = ParallelGzipOutputStream.BLOCK_SIZE;

  @TempDir Path tmp;

  static byte[] gzip(byte[] data, int level, int threads, int chunk) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ParallelGzipOutputStream z = new ParallelGzipOutputStream(out, level, threads)) {
      for (int off = 0; off < data.length; off += chunk) {
        z.write(data, off, Math.min(chunk, data.length - off));
      }
    }
    return out.toByteArray();
  }

  static byte[] gunzip(byte[] gz) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 1000, BLOCK - 1, BLOCK, BLOCK + 1, 5 * BLOCK + 17})
  void output_isTheSameForAnyThreadCountAndWriteSize(int size) throws Exception {
    byte[] data = CompressionTest.sample(size);

    byte[] single = gzip(data, 6, 1, 8192);

    for (int threads : new int[] {2, 3, 8}) {
      assertArrayEquals(single, gzip(data, 6, threads, 1 + size / 3), threads + " threads");
    }
    assertArrayEquals(data, gunzip(single));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 6, 9})
  void output_decompressesAtEveryLevel(int level) throws Exception {
    byte[] data = CompressionTest.sample(3 * BLOCK + 5);
    assertArrayEquals(data, gunzip(gzip(data, level, 2, 65536)));
  }

  @Test
  void output_isReadByGzipAsOneMember() throws Exception {
    Requirements.tool("gzip");
    byte[] data = CompressionTest.sample(4 * BLOCK + 99);
    Path file = tmp.resolve("x.gz");
    Files.write(file, gzip(data, 6, 2, 100_000));

    Process test = new ProcessBuilder("gzip", "-t", file.toString()).start();
    assertEquals(0, test.waitFor());
    Process list = new ProcessBuilder("gzip", "-lv", file.toString()).start();
    String listing = new String(list.getInputStream().readAllBytes());
    assertEquals(0, list.waitFor());
    // one member: gzip -l reports the whole uncompressed size on a single line
    assertTrue(listing.contains(Integer.toString(data.length)), listing);
  }

  @Test
  void output_compressesAboutAsWellAsOneStream() throws Exception {
    Random random = new Random(5);
    StringBuilder text = new StringBuilder();
    while (text.length() < 2_000_000) {
      text.append("line ").append(random.nextInt(5000)).append(" of a log, level INFO\n");
    }
    byte[] data = text.toString().getBytes();
    ByteArrayOutputStream reference = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(reference)) {
      z.write(data);
    }

    int parallel = gzip(data, 6, 2, 65536).length;

    assertTrue(parallel < reference.size() * 1.02,
        parallel + " bytes against " + reference.size() + " for one stream");
  }

  @Test
  void randomBlocks_areStored_andStillRoundTrip() throws Exception {
    byte[] data = new byte[3 * BLOCK + 5];
    new Random(7).nextBytes(data);
    assertTrue(ParallelGzipOutputStream.storable(data, 0, data.length));
    byte[] gz = gzip(data, 6, 2, 65536);
    assertArrayEquals(data, gunzip(gz));
    assertArrayEquals(gz, gzip(data, 6, 1, 1000), "same bytes for any thread count");
    assertTrue(gz.length < data.length + 200, "stored blocks add only their headers");
    byte[] text = CompressionTest.sample(BLOCK);
    assertFalse(ParallelGzipOutputStream.storable(text, 0, text.length));
  }

  /** Random segments of every seed are stored: none falls under the entropy bound. */
  @Test
  void storable_holdsForRandomSegmentsOfManySeeds() {
    byte[] segment = new byte[ParallelGzipOutputStream.SEGMENT];
    Random random = new Random(11);
    for (int i = 0; i < 20_000; i++) {
      random.nextBytes(segment);
      assertTrue(ParallelGzipOutputStream.storable(segment, 0, segment.length), "seed run " + i);
    }
  }

  /**
   * A tar of random files: each file's header is deflated, the random bytes around it stored, so
   * the output is a little smaller than the input, decompresses exactly, and does not depend on
   * the thread count.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 6, 9})
  void tarOfRandomFiles_headersDeflated_restStored(int level) throws Exception {
    byte[] data = randomFilesTar(40, 9000);
    byte[] gz = gzip(data, level, 2, 70_000);
    assertArrayEquals(data, gunzip(gz));
    assertArrayEquals(gz, gzip(data, level, 1, 4096));
    assertTrue(gz.length < data.length - 40 * 256, gz.length + " of " + data.length);
  }

  @Test
  void mixedOutput_isReadByGzip() throws Exception {
    Requirements.tool("gzip");
    byte[] data = randomFilesTar(60, 7000);
    Path file = tmp.resolve("mixed.gz");
    Files.write(file, gzip(data, 6, 2, 100_000));
    Process test = new ProcessBuilder("gzip", "-dc", file.toString()).start();
    byte[] out = test.getInputStream().readAllBytes();
    assertEquals(0, test.waitFor());
    assertArrayEquals(data, out);
  }

  /** {@code files} random files of about {@code size} bytes, each after a 512-byte header. */
  static byte[] randomFilesTar(int files, int size) {
    Random random = new Random(files);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < files; i++) {
      byte[] header = new byte[512];
      byte[] name = ("dir/file-" + i + ".bin").getBytes();
      System.arraycopy(name, 0, header, 0, name.length);
      out.writeBytes(header);
      byte[] body = new byte[size + random.nextInt(size)];
      random.nextBytes(body);
      out.writeBytes(body);
      out.writeBytes(new byte[(512 - body.length % 512) % 512]);
    }
    return out.toByteArray();
  }
}
