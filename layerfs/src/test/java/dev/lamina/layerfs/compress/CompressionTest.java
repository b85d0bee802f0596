package dev.lamina.layerfs.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.testing.Requirements;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class CompressionTest {
  @TempDir Path tmp;

  static byte[] sample(int size) {
    Random random = new Random(size);
    byte[] data = new byte[size];
    for (int i = 0; i < size; i++) {
      data[i] = (byte) (random.nextInt(10) == 0 ? random.nextInt(256) : 'a' + i % 7);
    }
    return data;
  }

  static byte[] compress(Compression c, byte[] data, int level) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream z = c.compress(out, level)) {
      z.write(data);
    }
    return out.toByteArray();
  }

  static byte[] decompress(Compression c, byte[] data) throws IOException {
    try (InputStream in = c.decompress(new ByteArrayInputStream(data))) {
      return in.readAllBytes();
    }
  }

  @ParameterizedTest
  @CsvSource({
    MediaType.OCI_LAYER + ", NONE",
    MediaType.OCI_LAYER_NONDISTRIBUTABLE + ", NONE",
    MediaType.DOCKER_LAYER + ", NONE",
    MediaType.OCI_LAYER_GZIP + ", GZIP",
    MediaType.OCI_LAYER_NONDISTRIBUTABLE_GZIP + ", GZIP",
    MediaType.DOCKER_LAYER_GZIP + ", GZIP",
    MediaType.DOCKER_FOREIGN_LAYER_GZIP + ", GZIP",
    MediaType.OCI_LAYER_ZSTD + ", ZSTD",
  })
  void fromMediaType_layerTypes(String mediaType, Compression expected) {
    assertEquals(Optional.of(expected), Compression.fromMediaType(mediaType));
  }

  @ParameterizedTest
  @ValueSource(strings = {MediaType.OCI_CONFIG, MediaType.OCI_MANIFEST, "application/x-tar", ""})
  void fromMediaType_otherTypes_isEmpty(String mediaType) {
    assertEquals(Optional.empty(), Compression.fromMediaType(mediaType));
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void fromMediaType_ofOwnLayerType_roundTrips(Compression c) {
    assertEquals(Optional.of(c), Compression.fromMediaType(c.layerMediaType()));
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void detect_compressedBytes_findsTheirCompression(Compression c) throws Exception {
    byte[] compressed = compress(c, sample(1000), c.defaultLevel());
    InputStream in = new BufferedInputStream(new ByteArrayInputStream(compressed));

    assertEquals(c, Compression.detect(in));
    assertArrayEquals(compressed, in.readAllBytes()); // nothing consumed
  }

  @Test
  void detect_shortOrPlainInput_isNone() throws Exception {
    assertEquals(Compression.NONE, Compression.detect(new byte[] {0x1f}, 1));
    assertEquals(Compression.NONE, Compression.detect(new byte[] {0x28, (byte) 0xb5, 0x2f}, 3));
    assertEquals(Compression.NONE,
        Compression.detect(new BufferedInputStream(InputStream.nullInputStream())));
    assertThrows(IllegalArgumentException.class,
        () -> Compression.detect(new java.io.FileInputStream(FileDescriptorHolder.devNull())));
  }

  @ParameterizedTest
  @CsvSource({"NONE, 0", "GZIP, 0", "GZIP, 1", "GZIP, 6", "GZIP, 9", "ZSTD, 1", "ZSTD, 19",
      "ZSTD, -5"})
  void compress_thenDecompress_roundTrips(Compression c, int level) throws Exception {
    byte[] data = sample(300_000);

    assertArrayEquals(data, decompress(c, compress(c, data, level)));
  }

  @ParameterizedTest
  @CsvSource({"GZIP, gzip", "ZSTD, zstd"})
  void compress_isReadByTheCommandLineTool(Compression c, String tool) throws Exception {
    Requirements.tool(tool);
    byte[] data = sample(200_000);
    Path file = tmp.resolve("blob");
    Files.write(file, compress(c, data, c.defaultLevel()));

    Process p = new ProcessBuilder(tool, "-dc", file.toString()).start();
    byte[] out = p.getInputStream().readAllBytes();

    assertEquals(0, p.waitFor());
    assertArrayEquals(data, out);
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 6, 9})
  void gzip_isDeterministicWithFixedHeader(int level) throws Exception {
    byte[] data = sample(100_000);

    byte[] a = compress(Compression.GZIP, data, level);
    byte[] b = compress(Compression.GZIP, data, level);

    assertArrayEquals(a, b);
    // magic, deflate, no flags (so no name), mtime 0, OS unknown
    assertArrayEquals(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0},
        Arrays.copyOf(a, 8));
    assertEquals((byte) 255, a[9]);
  }

  @Test
  void zstd_isDeterministic() throws Exception {
    byte[] data = sample(100_000);
    assertArrayEquals(compress(Compression.ZSTD, data, 3), compress(Compression.ZSTD, data, 3));
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD"})
  void decompress_nestedCompression_unpacksOneLevelOnly(Compression c) throws Exception {
    byte[] inner = compress(c, sample(5000), c.defaultLevel());
    byte[] outer = compress(c, inner, c.defaultLevel());

    assertArrayEquals(inner, decompress(c, outer));
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD"})
  void decompress_concatenatedMembers_readsThemAll(Compression c) throws Exception {
    byte[] one = sample(7000);
    byte[] two = sample(9000);
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    joined.write(compress(c, one, c.defaultLevel()));
    joined.write(compress(c, two, c.defaultLevel()));
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.write(one);
    expected.write(two);

    assertArrayEquals(expected.toByteArray(), decompress(c, joined.toByteArray()));
  }

  @ParameterizedTest
  @EnumSource(value = Compression.class, names = {"GZIP", "ZSTD"})
  void decompress_truncatedOrCorrupt_throws(Compression c) throws Exception {
    byte[] good = compress(c, sample(50_000), c.defaultLevel());
    byte[] truncated = Arrays.copyOf(good, good.length / 2);
    byte[] corrupt = good.clone();
    corrupt[good.length - 6] ^= 0x55; // inside the gzip CRC / zstd checksum

    assertThrows(IOException.class, () -> decompress(c, truncated));
    assertThrows(IOException.class, () -> decompress(c, corrupt));
  }

  @ParameterizedTest
  @CsvSource({"GZIP, -1", "GZIP, 10", "ZSTD, 0", "ZSTD, 23"})
  void compress_levelOutOfRange_throws(Compression c, int level) {
    assertThrows(IllegalArgumentException.class,
        () -> c.compress(new ByteArrayOutputStream(), level));
  }

  @Test
  void compress_none_passesBytesThrough() throws Exception {
    byte[] data = sample(1000);
    assertArrayEquals(data, compress(Compression.NONE, data, 0));
    assertTrue(Compression.NONE.defaultLevel() == 0);
  }

  /** A stream without mark support. */
  private static final class FileDescriptorHolder {
    static java.io.File devNull() {
      return new java.io.File("/dev/null");
    }
  }
}
