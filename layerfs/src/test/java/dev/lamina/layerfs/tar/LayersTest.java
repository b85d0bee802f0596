package dev.lamina.layerfs.tar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.oci.MediaType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class LayersTest {
  @TempDir Path tmp;

  private List<LayerEntry> entries() {
    Random random = new Random(3);
    List<LayerEntry> entries = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      byte[] data = new byte[random.nextInt(100_000)];
      for (int j = 0; j < data.length; j++) {
        data[j] = (byte) (random.nextInt(16) + 'a'); // compressible but not trivially so
      }
      entries.add(LayerEntry.regular("dir" + i % 4 + "/f" + i, data.length,
          ContentSource.ofBytes(data)));
    }
    entries.add(LayerEntry.symlink("link", "dir0/f0"));
    return entries;
  }

  /** Writes the blob to a file and checks all four results with independent tools. */
  @ParameterizedTest
  @CsvSource({"NONE, cat", "GZIP, gzip", "ZSTD, zstd"})
  void write_digestsMatchIndependentTools(Compression compression, String tool) throws Exception {
    Path blob = tmp.resolve("blob");
    LayerDigests result;
    try (OutputStream out = Files.newOutputStream(blob)) {
      result = Layers.write(entries(), out, compression, compression.defaultLevel());
    }

    assertEquals(Files.size(blob), result.size());
    assertEquals(Tools.sha256sum(blob), result.digest().hex());
    Path tar = tmp.resolve("layer.tar");
    if (compression == Compression.NONE) {
      Files.copy(blob, tar);
      assertEquals(result.digest(), result.diffId());
    } else {
      Files.write(tar, Tools.run(tool, "-dc", blob.toString()));
      assertNotEquals(result.digest(), result.diffId());
    }
    assertEquals(Tools.sha256sum(tar), result.diffId().hex());
    byte[] plain = LayerWriterTest.tar(entries());
    assertArrayEquals(plain, Files.readAllBytes(tar));
    assertEquals(compression.layerMediaType(), result.mediaType());
    assertEquals(result.digest(), result.descriptor().digest());
    assertEquals(result.size(), result.descriptor().size());
  }

  @Test
  void write_mediaTypes() {
    assertEquals(MediaType.OCI_LAYER, Compression.NONE.layerMediaType());
    assertEquals(MediaType.OCI_LAYER_GZIP, Compression.GZIP.layerMediaType());
    assertEquals(MediaType.OCI_LAYER_ZSTD, Compression.ZSTD.layerMediaType());
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void write_twice_givesIdenticalBlobs(Compression compression) throws Exception {
    ByteArrayOutputStream a = new ByteArrayOutputStream();
    ByteArrayOutputStream b = new ByteArrayOutputStream();

    LayerDigests first = Layers.write(entries(), a, compression, compression.defaultLevel());
    List<LayerEntry> reversed = new ArrayList<>(entries());
    java.util.Collections.reverse(reversed);
    LayerDigests second = Layers.write(reversed, b, compression, compression.defaultLevel());

    assertArrayEquals(a.toByteArray(), b.toByteArray());
    assertEquals(first, second);
  }

  @ParameterizedTest
  @EnumSource(Compression.class)
  void write_leavesTheSinkOpen(Compression compression) throws Exception {
    CloseTracking sink = new CloseTracking();

    Layers.write(entries(), sink, compression, compression.defaultLevel());

    assertFalse(sink.closed);
    sink.write(1); // still usable
  }

  @Test
  void write_invalidLevel_throwsBeforeWriting() {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    assertThrows(IllegalArgumentException.class,
        () -> Layers.write(entries(), sink, Compression.GZIP, 10));
    assertThrows(IllegalArgumentException.class,
        () -> Layers.write(entries(), sink, Compression.ZSTD, 0));
  }

  @Test
  void write_failingContent_propagatesAndClosesTheCompressor() {
    LayerEntry broken = LayerEntry.regular("f", 10, () -> {
      throw new IOException("disk on fire");
    });
    CloseTracking sink = new CloseTracking();

    IOException e = assertThrows(IOException.class,
        () -> Layers.write(List.of(broken), sink, Compression.ZSTD, 3));

    assertEquals("disk on fire", e.getMessage());
    assertFalse(sink.closed);
  }

  private static final class CloseTracking extends OutputStream {
    boolean closed;

    @Override
    public void write(int b) throws IOException {
      if (closed) {
        throw new IOException("closed");
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (closed) {
        throw new IOException("closed");
      }
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
