package dev.lamina.layerfs.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.Requirements;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A walk's directory, held open: its listing, stats, xattrs and reads by name give what the same
 * calls by path give, every byte of odd names kept, and nothing outside it is reached through a
 * symlink.
 */
class OpenDirectoryTest {
  @TempDir Path dir;

  private static byte[] c(String name) {
    byte[] b = FileNames.encode(name);
    return Arrays.copyOf(b, b.length + 1);
  }

  @Test
  void list_givesEveryNameAsItsBytes_oddAndManyIncluded() throws Exception {
    assertTrue(OpenDirectory.isNative(), "getdents64 through jffi (else this tests the JDK)");
    TreeSet<String> expected = new TreeSet<>();
    // More names than one getdents64 call returns, so the listing takes several.
    for (int i = 0; i < 3000; i++) {
      String name = "file-with-a-longish-name-" + i;
      Files.writeString(dir.resolve(name), "x");
      expected.add(HexFormat.of().formatHex(c(name)));
    }
    for (String name : new String[] {"caf\uDCE9", "caf\u00E9", "\uDCFF", "a\nb", "-", "..."}) {
      Files.writeString(FileNames.resolve(dir, name), "x");
      expected.add(HexFormat.of().formatHex(c(name)));
    }
    Files.createDirectory(dir.resolve("sub"));
    expected.add(HexFormat.of().formatHex(c("sub")));
    TreeSet<String> listed = new TreeSet<>();
    try (OpenDirectory at = OpenDirectory.open(dir)) {
      for (byte[] cName : at.list()) {
        assertEquals(0, cName[cName.length - 1], "NUL-terminated");
        listed.add(HexFormat.of().formatHex(cName));
      }
    }
    assertEquals(expected, listed, ". and .. left out, every other name as its bytes");
  }

  @Test
  void lstat_byName_sameAsByPath_forEveryKindOfFile() throws Exception {
    Requirements.root();
    Files.writeString(dir.resolve("f"), "twelve bytes");
    Files.createLink(dir.resolve("hard"), dir.resolve("f"));
    Files.createDirectory(dir.resolve("d"));
    Posix.symlink("f", dir.resolve("link"));
    Posix.symlink("nowhere", dir.resolve("dangling"));
    Posix.mknod(dir.resolve("c"), FileStat.S_IFCHR | 0640, 1, 3);
    Posix.mknod(dir.resolve("p"), FileStat.S_IFIFO | 04755, 0, 0);
    Files.writeString(FileNames.resolve(dir, "caf\uDCE9"), "x");
    try (OpenDirectory at = OpenDirectory.open(dir)) {
      for (String name : new String[] {"f", "hard", "d", "link", "dangling", "c", "p",
          "caf\uDCE9"}) {
        assertEquals(Posix.lstat(FileNames.resolve(dir, name)), at.lstat(name, c(name)), name);
      }
      assertThrows(NoSuchFileException.class, () -> at.lstat("missing", c("missing")));
    }
  }

  @Test
  void hasNoXattrs_onlyForAFileWithoutAny_notFollowingALink() throws Exception {
    Requirements.root();
    Files.writeString(dir.resolve("plain"), "x");
    Path marked = Files.writeString(dir.resolve("marked"), "x");
    Path odd = FileNames.resolve(dir, "caf\uDCE9");
    Files.writeString(odd, "x");
    Posix.lsetxattr(marked, "user.a", new byte[] {1});
    Posix.lsetxattr(odd, "trusted.b", new byte[] {2});
    Posix.symlink("marked", dir.resolve("link"));
    try (OpenDirectory at = OpenDirectory.open(dir)) {
      assertTrue(at.hasNoXattrs(c("plain")), "listxattrat(2) by name (Linux 6.13)");
      assertTrue(at.hasNoXattrs(c("link")), "the link, not the file it names");
      assertFalse(at.hasNoXattrs(c("marked")));
      assertFalse(at.hasNoXattrs(c("caf\uDCE9")));
      assertFalse(at.hasNoXattrs(c("missing")));
    }
  }

  @Test
  void read_givesTheBytes_upToTheLimit_andStopsOnceEnoughAreIn() throws Exception {
    byte[] bytes = new byte[5000];
    new Random(3).nextBytes(bytes);
    Files.write(FileNames.resolve(dir, "f\uDCFF"), bytes);
    byte[] f = c("f\uDCFF");
    ByteBuffer buf = ByteBuffer.allocateDirect(8192);
    try (OpenDirectory at = OpenDirectory.open(dir)) {
      buf.limit(5001); // one more than the file: the end shows in the same read
      assertEquals(5000, at.read(f, buf, 5000));
      byte[] got = new byte[5000];
      buf.flip().get(got);
      assertArrayEquals(bytes, got);
      buf.clear().limit(100);
      assertEquals(100, at.read(f, buf, 100), "no more than the limit");
      buf.clear().limit(8192);
      assertEquals(5000, at.read(f, buf, 8192), "the end, short of enough");
    }
  }

  @Test
  void read_symlinkMissingOrHeapBuffer_isLeftToTheCaller() throws Exception {
    Files.writeString(dir.resolve("f"), "content");
    Posix.symlink("f", dir.resolve("link"));
    ByteBuffer direct = ByteBuffer.allocateDirect(64);
    try (OpenDirectory at = OpenDirectory.open(dir)) {
      assertEquals(-1, at.read(c("link"), direct, 7), "a symlink is not followed");
      assertEquals(-1, at.read(c("missing"), direct, 7));
      assertEquals(-1, at.read(c("f"), ByteBuffer.allocate(64), 7), "direct buffers only");
      assertEquals(7, at.read(c("f"), direct, 7));
    }
  }

  @Test
  void openFile_streamsTheWholeFile_refusesASymlink_andSaysWhatIsMissing() throws Exception {
    byte[] bytes = new byte[700_000]; // more than one read's space
    new Random(9).nextBytes(bytes);
    Files.write(FileNames.resolve(dir, "f\uDCFF"), bytes);
    Posix.symlink("f\uDCFF", dir.resolve("link"));
    try (OpenDirectory at = OpenDirectory.open(dir)) {
      try (java.io.InputStream in = at.openFile(c("f\uDCFF"), dir.resolve("shown"))) {
        assertEquals(bytes[0] & 0xff, in.read());
        assertArrayEquals(Arrays.copyOfRange(bytes, 1, bytes.length), in.readAllBytes());
        assertEquals(-1, in.read());
      }
      java.nio.file.FileSystemException link = assertThrows(
          java.nio.file.FileSystemException.class,
          () -> at.openFile(c("link"), dir.resolve("link")));
      assertTrue(link.getMessage().contains("symlink"), link.getMessage());
      NoSuchFileException missing = assertThrows(NoSuchFileException.class,
          () -> at.openFile(c("missing"), dir.resolve("missing")));
      assertEquals(dir.resolve("missing").toString(), missing.getFile());
    }
  }

  @Test
  void read_fifo_doesNotBlock() throws Exception {
    Requirements.root();
    Posix.mknod(dir.resolve("p"), FileStat.S_IFIFO | 0600, 0, 0);
    ByteBuffer direct = ByteBuffer.allocateDirect(64);
    try (OpenDirectory at = OpenDirectory.open(dir)) {
      // A guard against hanging (a blocking open waits for a writer forever), not a measure.
      int read = assertTimeoutPreemptively(Duration.ofSeconds(20),
          () -> at.read(c("p"), direct, 10));
      assertTrue(read <= 0, "nothing read from a FIFO without a writer: " + read);
    }
  }

  /**
   * A directory swapped for a symlink after its parent was listed (CVE-2018-15664's race, as a
   * context changed during a build) is refused, and nothing beyond the link is listed or read.
   */
  @Test
  void openDirectory_swappedForASymlink_isRefused_andTheHeldDirectoryStillReadsItsOwnFiles()
      throws Exception {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("secret"), "host");
    Path tree = Files.createDirectories(dir.resolve("tree"));
    Path sub = Files.createDirectories(tree.resolve("sub"));
    Files.writeString(sub.resolve("secret"), "mine");
    try (OpenDirectory root = OpenDirectory.open(tree);
        OpenDirectory held = root.openDirectory("sub", c("sub"))) {
      // swapped: sub moved away, a symlink to outside put in its place
      Files.move(sub, tree.resolve("moved"));
      Posix.symlink(outside.toString(), tree.resolve("sub"));
      assertThrows(NotDirectoryException.class, () -> root.openDirectory("sub", c("sub")));
      ByteBuffer buf = ByteBuffer.allocateDirect(64);
      buf.limit(5);
      assertEquals(4, held.read(c("secret"), buf, 5), "the directory opened, not the link");
      byte[] got = new byte[4];
      buf.flip().get(got);
      assertEquals("mine", new String(got, StandardCharsets.US_ASCII));
      assertEquals(-1, root.read(c("sub"), ByteBuffer.allocateDirect(64), 1));
    }
  }

  @Test
  void retain_keepsItOpenUntilTheLastHolderCloses() throws Exception {
    Files.writeString(dir.resolve("f"), "x");
    OpenDirectory at = OpenDirectory.open(dir);
    at.retain();
    at.close();
    ByteBuffer buf = ByteBuffer.allocateDirect(8);
    assertEquals(1, at.read(c("f"), buf, 1), "one holder left: still open");
    at.close();
    assertThrows(IllegalStateException.class, at::retain);
  }
}
