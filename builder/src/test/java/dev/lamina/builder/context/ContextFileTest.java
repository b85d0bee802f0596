package dev.lamina.builder.context;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.tar.ContentChangedException;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.LayerWriter;
import dev.lamina.layerfs.tar.ReadAhead;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A context file read ahead of the layer write: the same bytes and digest, changes still seen. */
class ContextFileTest {
  @TempDir Path tmp;

  private static ContextFile contextFile(Path file) throws Exception {
    return new ContextFile(file, file.getFileName().toString(), FileStamp.of(file),
        FileDigests.uncached());
  }

  @Test
  void readAhead_keepsTheBytesForTheWrite_andKnowsTheirDigest() throws Exception {
    byte[] bytes = new byte[ReadAhead.MAX_FILE];
    new Random(5).nextBytes(bytes);
    for (int size : new int[] {1, 1500, ReadAhead.MAX_FILE}) {
      Path file = Files.write(tmp.resolve("f" + size), java.util.Arrays.copyOf(bytes, size));
      ContextFile f = contextFile(file);
      assertNull(f.knownHex());
      assertEquals(size, f.readAhead());
      assertEquals(Digest.sha256(Files.readAllBytes(file)).hex(), f.knownHex());
      Files.write(file, new byte[size]); // same size, other bytes: the held ones are written
      try (InputStream in = f.open()) {
        assertArrayEquals(java.util.Arrays.copyOf(bytes, size), in.readAllBytes());
      }
    }
  }

  @Test
  void readAhead_leavesLargeAndChangedFilesToTheWrite() throws Exception {
    Path large = Files.write(tmp.resolve("large"), new byte[ReadAhead.MAX_FILE + 1]);
    assertEquals(0, contextFile(large).readAhead());

    // grown or shrunk since its lstat: not read ahead, and the write reports the change
    for (int now : new int[] {11, 9}) {
      Path file = Files.write(tmp.resolve("changed" + now), new byte[10]);
      ContextFile f = contextFile(file);
      Files.write(file, new byte[now]);
      assertEquals(0, f.readAhead());
      assertNull(f.knownHex());
      LayerEntry e = LayerEntry.regular("changed", 10, f);
      assertThrows(ContentChangedException.class,
          () -> LayerWriter.preservingMtimes().write(List.of(e), new ByteArrayOutputStream()));
    }
  }
}
