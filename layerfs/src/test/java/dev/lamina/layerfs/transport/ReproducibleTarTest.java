package dev.lamina.layerfs.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

class ReproducibleTarTest {
  /** Counts the calls that reach it, as a file's channel would count write system calls. */
  private static final class CountingOutput extends OutputStream {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int calls;

    @Override
    public void write(int b) {
      calls++;
      bytes.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      calls++;
      bytes.write(b, off, len);
    }
  }

  @Test
  void aBigEntry_reachesTheOutputInLargeWrites_notOneRecordAtATime() throws Exception {
    byte[] layer = new byte[8 << 20];
    new Random(7).nextBytes(layer);
    ReproducibleTar tar = new ReproducibleTar();
    tar.add("blobs/sha256/layer", layer.length, () -> new ByteArrayInputStream(layer));
    tar.add("manifest.json", "[]");
    CountingOutput out = new CountingOutput();

    tar.writeTo(out);

    // 8 MiB in 512-byte records would be 16,384 writes; a save of a 300 MB layer, 600,000.
    assertTrue(out.calls <= 16, "write calls: " + out.calls);
    List<String> names = new ArrayList<>();
    byte[] read = null;
    try (TarArchiveInputStream in =
        new TarArchiveInputStream(new ByteArrayInputStream(out.bytes.toByteArray()))) {
      for (TarArchiveEntry e; (e = in.getNextEntry()) != null; ) {
        names.add(e.getName());
        if (e.getName().equals("blobs/sha256/layer")) {
          read = in.readAllBytes();
        }
      }
    }
    assertEquals(List.of("blobs/", "blobs/sha256/", "blobs/sha256/layer", "manifest.json"), names);
    assertArrayEquals(layer, read);
  }
}
