package dev.lamina.layerfs.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.lamina.layerfs.testing.Requirements;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Whole reads of small files through jffi: the bytes, the stop, and what is not read. */
class SmallFilesTest {
  @TempDir Path dir;

  @Test
  void read_givesTheBytes_upToTheLimit_andStopsOnceEnoughAreIn() throws Exception {
    byte[] bytes = new byte[5000];
    new Random(3).nextBytes(bytes);
    Path f = Files.write(dir.resolve("f"), bytes);
    ByteBuffer buf = ByteBuffer.allocateDirect(8192);
    buf.limit(5001); // one more than the file: the end shows in the same read
    assertEquals(5000, SmallFiles.read(f, buf, 5000));
    byte[] got = new byte[5000];
    buf.flip().get(got);
    assertArrayEquals(bytes, got);

    buf.clear().limit(100);
    assertEquals(100, SmallFiles.read(f, buf, 100), "no more than the limit");
    buf.clear().limit(8192);
    assertEquals(5000, SmallFiles.read(f, buf, 8192), "the end, short of enough");
  }

  @Test
  void read_symlinkMissingOrHeapBuffer_isLeftToTheCaller() throws Exception {
    Path f = Files.writeString(dir.resolve("f"), "content");
    Posix.symlink("f", dir.resolve("link"));
    ByteBuffer direct = ByteBuffer.allocateDirect(64);
    assertEquals(-1, SmallFiles.read(dir.resolve("link"), direct, 7), "a symlink is not followed");
    assertEquals(-1, SmallFiles.read(dir.resolve("missing"), direct, 7));
    assertEquals(-1, SmallFiles.read(f, ByteBuffer.allocate(64), 7), "direct buffers only");
  }

  @Test
  void read_fifo_doesNotBlock() throws Exception {
    Requirements.root();
    Path fifo = dir.resolve("p");
    Posix.mknod(fifo, FileStat.S_IFIFO | 0600, 0, 0);
    ByteBuffer direct = ByteBuffer.allocateDirect(64);
    // A guard against hanging (a blocking open waits for a writer forever), not a measure.
    int read = assertTimeoutPreemptively(Duration.ofSeconds(20),
        () -> SmallFiles.read(fifo, direct, 10));
    assertEquals(true, read <= 0, "nothing read from a FIFO without a writer: " + read);
  }
}
