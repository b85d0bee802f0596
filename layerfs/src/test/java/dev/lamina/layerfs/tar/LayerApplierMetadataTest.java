package dev.lamina.layerfs.tar;

import static dev.lamina.layerfs.tar.TarFixture.blockDevice;
import static dev.lamina.layerfs.tar.TarFixture.charDevice;
import static dev.lamina.layerfs.tar.TarFixture.dirEntry;
import static dev.lamina.layerfs.tar.TarFixture.fifo;
import static dev.lamina.layerfs.tar.TarFixture.fileEntry;
import static dev.lamina.layerfs.tar.TarFixture.symlinkEntry;
import static dev.lamina.layerfs.tar.TarFixture.tar;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.testing.Requirements;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every kind of metadata a layer carries is restored, in the order that keeps it. */
class LayerApplierMetadataTest {
  @TempDir Path root;

  private ApplyResult apply(TarFixture tar) throws IOException {
    return LayerApplier.apply(
        new ByteArrayInputStream(tar.bytes()),
        root,
        ApplyOptions.defaults(WhiteoutFormat.flatten()));
  }

  private FileStat stat(String name) throws IOException {
    return Posix.lstat(root.resolve(name));
  }

  @ParameterizedTest
  @ValueSource(ints = {04755, 02755, 01777, 06711, 0700, 0000, 07777})
  void apply_specialModeBitsWithOwner_survive(int mode) throws Exception {
    Requirements.root();
    apply(tar()
        .add(fileEntry("f", "x").mode(mode).owner(1000, 1001))
        .add(dirEntry("d").mode(mode).owner(1000, 1001)));
    // chown after chmod would have cleared setuid/setgid: the order is lchown, then chmod.
    assertEquals(mode, stat("f").permissions());
    assertEquals(mode, stat("d").permissions());
    assertEquals(1000, stat("f").uid());
    assertEquals(1001, stat("f").gid());
  }

  /**
   * Files are created in their directory held open from one entry to the next: a directory
   * replaced (by a symlink, then by a directory again) within the layer is a new one, and the
   * files after it go there, not into the one removed.
   */
  @Test
  void apply_directoryReplacedAndMadeAgain_laterFilesLandInTheNewOne() throws Exception {
    apply(tar()
        .add(dirEntry("d"))
        .add(fileEntry("d/one", "1"))
        .add(symlinkEntry("d", "elsewhere"))
        .add(dirEntry("d").mode(0750))
        .add(fileEntry("d/two", "2").mode(0640).mtime(3_000_000))
        .add(fileEntry("d/three", "3")));
    assertEquals("2", Files.readString(root.resolve("d/two")));
    assertEquals("3", Files.readString(root.resolve("d/three")));
    assertFalse(Files.exists(root.resolve("d/one")));
    assertEquals(0640, stat("d/two").mode() & 07777);
    assertEquals(3_000_000, stat("d/two").mtimeSeconds());
  }

  @Test
  void apply_ownersNotRestored_keepsProcessOwner() throws Exception {
    LayerApplier.apply(
        new ByteArrayInputStream(tar().add(fileEntry("f", "x").owner(1234, 1234)).bytes()),
        root,
        ApplyOptions.defaults(WhiteoutFormat.flatten()).withRestoreOwners(false));
    assertEquals(Posix.geteuid(), stat("f").uid());
  }

  @Test
  void apply_symlinkOwner_isTheLinksOwn() throws Exception {
    Requirements.root();
    apply(tar().file("target", "t").add(symlinkEntry("link", "target").owner(7, 8)));
    assertEquals(7, stat("link").uid());
    assertEquals(0, stat("target").uid());
  }

  @Test
  void apply_mtimes_restoredWithNanosAndDirectoriesLast() throws Exception {
    apply(tar()
        .add(dirEntry("d").mtime(1_000_000))
        .add(fileEntry("d/f", "x").mtime(2_000_000).pax("mtime", "2000000.123456789"))
        .add(dirEntry("d/sub").mtime(3_000_000))
        .add(fileEntry("d/sub/g", "y").mtime(4_000_000))
        .add(symlinkEntry("d/link", "f").mtime(5_000_000)));
    assertEquals(1_000_000, stat("d").mtimeSeconds());
    assertEquals(3_000_000, stat("d/sub").mtimeSeconds());
    assertEquals(2_000_000, stat("d/f").mtimeSeconds());
    assertEquals(123456789, stat("d/f").mtimeNanos());
    assertEquals(5_000_000, stat("d/link").mtimeSeconds());
  }

  @Test
  void apply_xattrs_roundTripByteForByte() throws Exception {
    Requirements.root();
    // A v2 capability for cap_setuid (bit 7): bytes 0x80 are not valid UTF-8 on their own.
    byte[] capability = HexFormat.of().parseHex("0100000280000000000000000000000000000000");
    byte[] selinux = "system_u:object_r:bin_t:s0\0".getBytes();
    byte[] binary = {0, (byte) 0x80, (byte) 0xff, 0, '\n', '='};
    apply(tar().add(fileEntry("bin/ping", "elf").mode(0755)
        .xattr("security.capability", capability)
        .xattr("security.selinux", selinux)
        .xattr("user.binary", binary)
        .xattr("user.text", "hello")
        .xattr("trusted.note", "t")));
    Path p = root.resolve("bin/ping");
    assertArrayEquals(capability, Posix.lgetxattr(p, "security.capability").orElseThrow());
    assertArrayEquals(selinux, Posix.lgetxattr(p, "security.selinux").orElseThrow());
    assertArrayEquals(binary, Posix.lgetxattr(p, "user.binary").orElseThrow());
    assertArrayEquals("hello".getBytes(), Posix.lgetxattr(p, "user.text").orElseThrow());
    assertArrayEquals("t".getBytes(), Posix.lgetxattr(p, "trusted.note").orElseThrow());
  }

  @Test
  void apply_devicesAndFifo_created() throws Exception {
    Requirements.root();
    apply(tar()
        .add(charDevice("dev/null", 1, 3))
        .add(blockDevice("dev/loop0", 7, 0))
        .add(charDevice("dev/big", 4095, 1_048_575))
        .add(fifo("run/fifo").mode(0620)));
    FileStat nul = stat("dev/null");
    assertTrue(nul.isCharDevice());
    assertEquals(1, nul.rdevMajor());
    assertEquals(3, nul.rdevMinor());
    assertEquals(0666, nul.permissions());
    FileStat loop = stat("dev/loop0");
    assertTrue(loop.isBlockDevice());
    assertEquals(7, loop.rdevMajor());
    assertEquals(4095, stat("dev/big").rdevMajor());
    assertEquals(1_048_575, stat("dev/big").rdevMinor());
    assertTrue(stat("run/fifo").isFifo());
    assertEquals(0620, stat("run/fifo").permissions());
  }

  @Test
  void apply_hardlink_sharesInodeAndKeepsTargetMode() throws Exception {
    apply(tar()
        .add(fileEntry("a", "content").mode(0640))
        .add(TarFixture.hardlinkEntry("b", "a").mode(0777)));
    assertEquals(stat("a").ino(), stat("b").ino());
    assertEquals(2, stat("a").nlink());
    assertEquals(0640, stat("b").permissions());
  }

  @Test
  void apply_impliedParents_getFixedMode() throws Exception {
    apply(tar().add(fileEntry("a/b/c", "x").mode(0600)));
    assertEquals(0755, stat("a").permissions());
    assertEquals(0755, stat("a/b").permissions());
    assertEquals(0600, stat("a/b/c").permissions());
  }

  @Test
  void apply_directoryOverDirectory_keepsChildrenAndUpdatesMode() throws Exception {
    Files.createDirectories(root.resolve("d"));
    Files.writeString(root.resolve("d/lower"), "lower");
    apply(tar().dir("d", 0711));
    assertEquals("lower", Files.readString(root.resolve("d/lower")));
    assertEquals(0711, stat("d").permissions());
  }

  @Test
  void apply_directoryOverFile_andFileOverDirectory_replace() throws Exception {
    Files.writeString(root.resolve("was-file"), "x");
    Files.createDirectories(root.resolve("was-dir/child"));
    apply(tar().dir("was-file").file("was-dir", "now a file"));
    assertTrue(Files.isDirectory(root.resolve("was-file"), LinkOption.NOFOLLOW_LINKS));
    assertEquals("now a file", Files.readString(root.resolve("was-dir")));
  }

  @Test
  void apply_socket_isSkipped() throws Exception {
    ApplyResult result = apply(tar().add(fileEntry("s", "").mode(0140755)).file("after", "ok"));
    assertFalse(Files.exists(root.resolve("s"), LinkOption.NOFOLLOW_LINKS));
    assertEquals(1, result.warnings().size(), result.warnings().toString());
    assertTrue(Files.exists(root.resolve("after")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "4294967296", "99999999999999999999", "x"})
  void apply_paxDeviceNumberOutOfRange_fails(String major) {
    // Read in full (no int truncation), then held to tar's uint32.
    byte[] tar = tar().add(charDevice("dev/x", 1, 1).pax("SCHILY.devmajor", major)).bytes();
    LayerFormatException e =
        assertThrows(
            LayerFormatException.class,
            () ->
                LayerApplier.apply(
                    new ByteArrayInputStream(tar),
                    root,
                    ApplyOptions.defaults(WhiteoutFormat.flatten())));
    assertTrue(e.getMessage().contains("corrupt tar"), e.getMessage());
    assertTrue(e.getMessage().contains("'dev/x'"), e.getMessage());
    assertFalse(Files.exists(root.resolve("dev/x"), LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void apply_deviceNumberBeyondLinuxDevT_failsInMknod() throws Exception {
    Requirements.root();
    // Valid in a tar (uint32), but Linux keeps 12 bits of major and 20 of minor: mknod refuses.
    IOException e =
        assertThrows(
            IOException.class,
            () -> apply(tar().add(charDevice("dev/max", 0xFFFF_FFFFL, 0xFFFF_FFFFL))));
    assertTrue(e.getMessage().contains("dev/max"), e.getMessage());
    assertFalse(Files.exists(root.resolve("dev/max"), LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void apply_negativeBase256DeviceNumber_fails() {
    byte[] tar = tar().add(blockDevice("dev/neg", -5, 0)).bytes();
    assertThrows(
        LayerFormatException.class,
        () ->
            LayerApplier.apply(
                new ByteArrayInputStream(tar),
                root,
                ApplyOptions.defaults(WhiteoutFormat.flatten())));
  }
}
