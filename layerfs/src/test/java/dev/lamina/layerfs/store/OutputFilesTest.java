package dev.lamina.layerfs.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What is at an output path decides how it is written: replaced, or written through. */
class OutputFilesTest {
  private static final byte[] DATA = "archive bytes\n".getBytes(StandardCharsets.UTF_8);

  @TempDir Path tmp;

  @Test
  void write_newPath_createsRegularFile() throws IOException {
    Path out = tmp.resolve("new.tar");
    OutputFiles.write(out, DATA);
    assertArrayEquals(DATA, Files.readAllBytes(out));
    try (var s = Files.list(tmp)) {
      assertEquals(1, s.count(), "no temp file is left beside it");
    }
  }

  @Test
  void write_regularFile_isReplacedAtomically_andKeptOnFailure() throws IOException {
    Path out = tmp.resolve("old.tar");
    Files.writeString(out, "old");
    Object inode = Files.getAttribute(out, "unix:ino");
    OutputFiles.write(out, DATA);
    assertArrayEquals(DATA, Files.readAllBytes(out));
    assertNotEquals(inode, Files.getAttribute(out, "unix:ino"), "a new file renamed into place");

    assertThrows(IOException.class, () -> OutputFiles.write(out, o -> {
      o.write("half".getBytes(StandardCharsets.UTF_8));
      throw new IOException("disk on fire");
    }));
    assertArrayEquals(DATA, Files.readAllBytes(out), "a failed write leaves the old file");
  }

  @Test
  void write_symlinkToFile_writesThroughAndKeepsTheLink() throws IOException {
    Path target = tmp.resolve("real.tar");
    Files.writeString(target, "a longer old content than the new one, to see the truncation");
    Path link = tmp.resolve("link.tar");
    Files.createSymbolicLink(link, target.getFileName());
    OutputFiles.write(link, DATA);
    assertTrue(Files.isSymbolicLink(link), "the link is still a link");
    assertArrayEquals(DATA, Files.readAllBytes(target));
  }

  @Test
  void write_danglingSymlink_createsItsTarget() throws IOException {
    Path link = tmp.resolve("link.tar");
    Files.createSymbolicLink(link, Path.of("made.tar"));
    OutputFiles.write(link, DATA);
    assertTrue(Files.isSymbolicLink(link));
    assertArrayEquals(DATA, Files.readAllBytes(tmp.resolve("made.tar")));
  }

  @Test
  void write_fifo_isWrittenThroughToItsReader() throws Exception {
    Path fifo = tmp.resolve("fifo");
    Posix.mknod(fifo, FileStat.S_IFIFO | 0600, 0, 0);
    CompletableFuture<byte[]> read =
        CompletableFuture.supplyAsync(() -> {
          try (InputStream in = Files.newInputStream(fifo)) {
            return in.readAllBytes();
          } catch (IOException e) {
            throw new RuntimeException(e);
          }
        });
    OutputFiles.write(fifo, DATA);
    assertArrayEquals(DATA, read.get(60, TimeUnit.SECONDS));
    assertEquals(FileStat.S_IFIFO, Posix.lstat(fifo).type(), "still a FIFO");
  }

  @Test
  void write_characterDevice_isWrittenThroughAndStaysADevice() throws IOException {
    Requirements.root();
    Path devNull = tmp.resolve("null");
    Posix.mknod(devNull, FileStat.S_IFCHR | 0666, 1, 3);
    OutputFiles.write(devNull, DATA);
    FileStat st = Posix.lstat(devNull);
    assertEquals(FileStat.S_IFCHR, st.type(), "still a character device");
    assertEquals(0, Files.size(devNull));
  }

  @Test
  void write_directory_fails() throws IOException {
    Path dir = Files.createDirectory(tmp.resolve("dir"));
    assertThrows(IOException.class, () -> OutputFiles.write(dir, DATA));
    assertTrue(Files.isDirectory(dir));
  }
}
