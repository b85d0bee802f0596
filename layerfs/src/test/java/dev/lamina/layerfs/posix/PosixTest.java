package dev.lamina.layerfs.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The native calls, each acting on the path itself and never through a symlink. */
class PosixTest {
  @TempDir Path dir;

  @Test
  void mknod_charBlockAndFifo() throws Exception {
    Requirements.root();
    Posix.mknod(dir.resolve("c"), FileStat.S_IFCHR | 0640, 1, 3);
    Posix.mknod(dir.resolve("b"), FileStat.S_IFBLK | 0600, 259, 70000);
    Posix.mknod(dir.resolve("p"), FileStat.S_IFIFO | 0600, 0, 0);
    FileStat c = Posix.lstat(dir.resolve("c"));
    assertTrue(c.isCharDevice());
    assertEquals(1, c.rdevMajor());
    assertEquals(3, c.rdevMinor());
    FileStat b = Posix.lstat(dir.resolve("b"));
    assertTrue(b.isBlockDevice());
    assertEquals(259, b.rdevMajor());
    assertEquals(70000, b.rdevMinor());
    assertTrue(Posix.lstat(dir.resolve("p")).isFifo());
  }

  @Test
  void mknod_existingPath_fails() throws Exception {
    Files.writeString(dir.resolve("f"), "x");
    PosixException e =
        assertThrows(
            PosixException.class, () -> Posix.mknod(dir.resolve("f"), FileStat.S_IFIFO, 0, 0));
    assertEquals(17, e.errno());
  }

  @Test
  void lchown_changesTheLinkNotItsTarget() throws Exception {
    Requirements.root();
    Path target = Files.writeString(dir.resolve("target"), "t");
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);
    Posix.lchown(link, 4321, 8765);
    assertEquals(4321, Posix.lstat(link).uid());
    assertEquals(8765, Posix.lstat(link).gid());
    assertEquals(0, Posix.lstat(target).uid());
  }

  @ParameterizedTest
  @ValueSource(ints = {04755, 02711, 01777, 07777, 0})
  void chmod_setsAllTwelveBits(int mode) throws Exception {
    Path f = Files.writeString(dir.resolve("f"), "x");
    Posix.chmod(f, mode);
    assertEquals(mode, Posix.lstat(f).permissions());
  }

  @Test
  void chmod_refusesSymlink_andLeavesTargetAlone() throws Exception {
    Path target = Files.writeString(dir.resolve("target"), "t");
    Posix.chmod(target, 0400);
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);
    assertThrows(PosixException.class, () -> Posix.chmod(link, 0777));
    assertEquals(0400, Posix.lstat(target).permissions());
  }

  @ParameterizedTest
  @ValueSource(strings = {"user.lamina", "trusted.lamina", "security.lamina", "trusted.overlay.x"})
  void xattrs_setGetListRemove_inEveryNamespace(String name) throws Exception {
    if (!name.startsWith("user.")) {
      Requirements.root();
    }
    Path f = Files.writeString(dir.resolve("f"), "x");
    byte[] value = {0, 1, (byte) 0x80, (byte) 0xff};
    Posix.lsetxattr(f, name, value);
    assertArrayEquals(value, Posix.lgetxattr(f, name).orElseThrow());
    assertTrue(Posix.llistxattr(f).contains(name), Posix.llistxattr(f).toString());
    Posix.lremovexattr(f, name);
    assertEquals(Optional.empty(), Posix.lgetxattr(f, name));
    Posix.lremovexattr(f, name);
  }

  @Test
  void lgetxattr_largeValue_growsBuffer() throws Exception {
    Path f = Files.writeString(dir.resolve("f"), "x");
    byte[] value = new byte[3000];
    value[2999] = 7;
    Posix.lsetxattr(f, "user.big", value);
    assertArrayEquals(value, Posix.lgetxattr(f, "user.big").orElseThrow());
  }

  @Test
  void lsetxattr_onSymlink_setsTheLinksOwn() throws Exception {
    Requirements.root();
    Path target = Files.writeString(dir.resolve("target"), "t");
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);
    Posix.lsetxattr(link, "trusted.on-link", new byte[] {1});
    assertTrue(Posix.lgetxattr(link, "trusted.on-link").isPresent());
    assertFalse(Posix.lgetxattr(target, "trusted.on-link").isPresent());
  }

  @Test
  void lutimes_onSymlink_leavesTargetTime() throws Exception {
    Path target = Files.writeString(dir.resolve("target"), "t");
    Posix.lutimes(target, 1_000, 0);
    Path link = Files.createSymbolicLink(dir.resolve("link"), target);
    Posix.lutimes(link, 2_000_000_000L, 123_456_789);
    assertEquals(2_000_000_000L, Posix.lstat(link).mtimeSeconds());
    assertEquals(123_456_789, Posix.lstat(link).mtimeNanos());
    assertEquals(1_000, Posix.lstat(target).mtimeSeconds());
  }

  @Test
  void lsetMtime_setsOnlyMtime() throws Exception {
    Path f = Files.writeString(dir.resolve("f"), "x");
    Posix.lsetMtime(f, 1_500_000_000L, 5);
    assertEquals(1_500_000_000L, Posix.lstat(f).mtimeSeconds());
    assertEquals(5, Posix.lstat(f).mtimeNanos());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/etc/", "a//b", "../../../x", "dangling/target"})
  void symlink_storesTargetByteForByte(String target) throws Exception {
    Path link = dir.resolve("link");
    Posix.symlink(target, link);
    assertTrue(Posix.lstat(link).isSymlink());
    // readlink through the JDK normalises, so compare the raw bytes via the link size.
    assertEquals(target.length(), Posix.lstat(link).size());
  }

  @Test
  void symlink_existingPath_fails() throws Exception {
    Files.writeString(dir.resolve("f"), "x");
    assertThrows(PosixException.class, () -> Posix.symlink("t", dir.resolve("f")));
  }

  @Test
  void makedev_roundTripsMajorAndMinor() {
    long dev = Posix.makedev(4095, 1_048_575);
    assertEquals(4095, Posix.major(dev));
    assertEquals(1_048_575, Posix.minor(dev));
  }
}
