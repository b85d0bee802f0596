package dev.lamina.layerfs.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The walks' statx says what the JDK's lstat says, field for field. */
class StatxTest {
  @TempDir Path dir;

  @Test
  void lstat_sameAsTheJdks_forEveryKindOfFile() throws Exception {
    Requirements.root();
    assertTrue(Statx.available(), "statx through jffi (else this compares the JDK with itself)");
    Files.writeString(dir.resolve("f"), "twelve bytes");
    Files.createLink(dir.resolve("hard"), dir.resolve("f"));
    Files.createDirectory(dir.resolve("d"));
    Posix.symlink("f", dir.resolve("link"));
    Posix.symlink("nowhere", dir.resolve("dangling"));
    Posix.mknod(dir.resolve("c"), FileStat.S_IFCHR | 0640, 1, 3);
    Posix.mknod(dir.resolve("b"), FileStat.S_IFBLK | 0600, 259, 70000);
    Posix.mknod(dir.resolve("p"), FileStat.S_IFIFO | 04755, 0, 0);
    Posix.lchown(dir.resolve("p"), 100000, 2_000_000);
    Posix.lutimes(dir.resolve("f"), 1_234_567_890L, 123_456_789L);
    Path odd = FileNames.resolve(dir, "caf\uDCE9"); // a name that is not UTF-8
    Files.writeString(odd, "x");
    for (String name : new String[] {"f", "hard", "d", "link", "dangling", "c", "b", "p"}) {
      Path p = dir.resolve(name);
      assertEquals(Posix.lstat(p), Statx.lstat(p), name);
    }
    assertEquals(Posix.lstat(odd), Statx.lstat(odd));
    assertEquals(Posix.lstat(dir), Statx.lstat(dir));
    try (Statx.Directory at = Statx.directory(dir)) {
      for (String name : new String[] {"f", "hard", "d", "link", "dangling", "c", "b", "p"}) {
        assertEquals(Posix.lstat(dir.resolve(name)), at.lstat(dir.resolve(name)), name);
      }
      assertEquals(Posix.lstat(odd), at.lstat(odd));
    }
    assertEquals(12, Statx.lstat(dir.resolve("f")).size());
    assertEquals(2, Statx.lstat(dir.resolve("f")).nlink());
  }

  @Test
  void birthTime_isWhenTheFileWasMade_notItsModificationTime() throws Exception {
    assertTrue(Statx.available(), "statx through jffi");
    long before = Instant.now().getEpochSecond();
    Path d = Files.createDirectory(dir.resolve("d"));
    Posix.lutimes(d, 86_400L, 7L);
    long[] born = Statx.birthTime(d).orElseThrow(() -> new AssertionError(
        "the temporary directory's filesystem keeps birth times"));
    assertTrue(born[0] >= before - 1 && born[0] <= Instant.now().getEpochSecond() + 1,
        born[0] + " not around " + before);
    assertTrue(born[1] >= 0 && born[1] < 1_000_000_000L, "nanoseconds " + born[1]);
    assertThrows(NoSuchFileException.class, () -> Statx.birthTime(dir.resolve("missing")));
  }

  @Test
  void lstat_missing_isNoSuchFile() {
    assertThrows(NoSuchFileException.class, () -> Statx.lstat(dir.resolve("missing")));
    assertThrows(NoSuchFileException.class, () -> Statx.lstat(dir.resolve("missing/below")));
  }

  @Test
  void directoryHasNoXattrs_onlyForAFileWithoutAny_notFollowingALink() throws Exception {
    Requirements.root();
    Path plain = Files.writeString(dir.resolve("plain"), "x");
    Path marked = Files.writeString(dir.resolve("marked"), "x");
    Path odd = FileNames.resolve(dir, "caf\uDCE9"); // a name that is not UTF-8
    Files.writeString(odd, "x");
    Posix.lsetxattr(marked, "user.a", new byte[] {1});
    Posix.lsetxattr(odd, "trusted.b", new byte[] {2});
    Posix.symlink("marked", dir.resolve("link"));
    try (Statx.Directory at = Statx.directory(dir)) {
      assertTrue(at.hasNoXattrs(plain), "listxattrat(2) by name (Linux 6.13)");
      assertTrue(at.hasNoXattrs(dir.resolve("link")), "the link, not the file it names");
      assertFalse(at.hasNoXattrs(marked));
      assertFalse(at.hasNoXattrs(odd));
      assertFalse(at.hasNoXattrs(dir.resolve("missing")));
    }
  }

  @Test
  void directoryLstat_byName_missingIsNoSuchFile_andAGoneDirectoryToo() throws Exception {
    Path d = Files.createDirectory(dir.resolve("d"));
    Files.writeString(d.resolve("f"), "x");
    try (Statx.Directory at = Statx.directory(d)) {
      assertEquals(Posix.lstat(d.resolve("f")), at.lstat(d.resolve("f")));
      assertThrows(NoSuchFileException.class, () -> at.lstat(d.resolve("missing")));
    }
    try (Statx.Directory at = Statx.directory(dir.resolve("gone"))) {
      assertThrows(NoSuchFileException.class, () -> at.lstat(dir.resolve("gone/f")));
    }
  }
}
