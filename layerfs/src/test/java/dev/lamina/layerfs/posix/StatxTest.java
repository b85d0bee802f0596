package dev.lamina.layerfs.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
