package dev.lamina.layerfs.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files created in a directory held open get exactly their bytes, owner, mode and times, and
 * nothing already at a name (a symlink least of all) is opened, followed or changed.
 */
class TargetDirectoryTest {
  @TempDir Path dir;

  private static byte[] c(String name) {
    byte[] b = FileNames.encode(name);
    return Arrays.copyOf(b, b.length + 1);
  }

  private TargetDirectory open(Path d) throws IOException {
    TargetDirectory t = TargetDirectory.open(d);
    assertNotNull(t, "openat and fchmod through jffi (else extraction works by path)");
    return t;
  }

  @Test
  void create_writesEveryByte_andGivesOwnerModeAndTimes() throws Exception {
    Requirements.root();
    byte[] content = new byte[700_001]; // more than one native hand-over of 256 KiB
    new Random(7).nextBytes(content);
    Path file = dir.resolve("f\u00e9 \n");
    try (TargetDirectory t = open(dir); TargetDirectory.NewFile f = t.create(c("f\u00e9 \n"), file)) {
      f.write(content, 0, 1);
      f.write(content, 1, content.length - 1);
      f.chown(1234, 5678);
      // After the owner: chown clears setuid and setgid.
      f.chmod(06755);
      f.setTimes(1_000_000_007L, 123_456_789);
    }
    assertArrayEquals(content, Files.readAllBytes(file));
    FileStat st = Posix.lstat(file);
    assertEquals(1234, st.uid());
    assertEquals(5678, st.gid());
    assertEquals(06755, st.mode() & 07777);
    assertEquals(1_000_000_007L, Files.getLastModifiedTime(file).toInstant().getEpochSecond());
    assertEquals(123_456_789, Files.getLastModifiedTime(file).toInstant().getNano());
  }

  @Test
  void create_ofANameInUse_changesNothing_symlinkNotFollowed() throws Exception {
    Path outside = Files.writeString(dir.resolve("outside"), "keep");
    Path inner = Files.createDirectory(dir.resolve("inner"));
    Files.createSymbolicLink(inner.resolve("link"), outside);
    Files.writeString(inner.resolve("file"), "old");
    try (TargetDirectory t = open(inner)) {
      assertNull(t.create(c("link"), inner.resolve("link")));
      assertNull(t.create(c("file"), inner.resolve("file")));
    }
    assertEquals("keep", Files.readString(outside));
    assertEquals("old", Files.readString(inner.resolve("file")));
    assertTrue(Files.isSymbolicLink(inner.resolve("link")));
  }

  @Test
  void open_refusesASymlinkToADirectory() throws Exception {
    Path real = Files.createDirectory(dir.resolve("real"));
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);
    assertThrows(PosixException.class, () -> TargetDirectory.open(link));
    assertThrows(PosixException.class, () -> TargetDirectory.open(dir.resolve("missing")));
  }

  @Test
  void filesAreCreatedInTheDirectoryOpened_evenOnceItIsRenamed() throws Exception {
    Path a = Files.createDirectory(dir.resolve("a"));
    try (TargetDirectory t = open(a)) {
      Files.move(a, dir.resolve("b"));
      Files.createSymbolicLink(a, Files.createDirectory(dir.resolve("elsewhere")));
      try (TargetDirectory.NewFile f = t.create(c("x"), a.resolve("x"))) {
        f.write("data".getBytes(StandardCharsets.UTF_8), 0, 4);
      }
    }
    assertEquals("data", Files.readString(dir.resolve("b/x")));
    assertTrue(Files.notExists(dir.resolve("elsewhere/x")));
  }

  @Test
  void makeDirectory_givesOwnerAndMode_andFilesGoInIt() throws Exception {
    Requirements.root();
    try (TargetDirectory t = open(dir);
        TargetDirectory made = t.makeDirectory(c("sub"), dir.resolve("sub"))) {
      assertEquals(0700, Posix.lstat(dir.resolve("sub")).mode() & 07777, "private until chmod");
      made.chown(1234, 5678);
      made.chmod(03775); // after the owner: chown clears setgid
      try (TargetDirectory.NewFile f = made.create(c("f"), dir.resolve("sub/f"))) {
        f.write(new byte[] {'x'}, 0, 1);
      }
    }
    FileStat st = Posix.lstat(dir.resolve("sub"));
    assertEquals(1234, st.uid());
    assertEquals(5678, st.gid());
    assertEquals(03775, st.mode() & 07777);
    assertEquals("x", Files.readString(dir.resolve("sub/f")));
  }

  @Test
  void makeDirectory_ofANameInUse_changesNothing_symlinkNotFollowed() throws Exception {
    Path outside = Files.createDirectory(dir.resolve("outside"));
    Path inner = Files.createDirectory(dir.resolve("inner"));
    Files.createSymbolicLink(inner.resolve("link"), outside);
    Files.writeString(inner.resolve("file"), "old");
    Files.createDirectory(inner.resolve("dir"));
    try (TargetDirectory t = open(inner)) {
      for (String name : new String[] {"link", "file", "dir"}) {
        assertNull(t.makeDirectory(c(name), inner.resolve(name)), name);
      }
    }
    assertTrue(Files.isSymbolicLink(inner.resolve("link")));
    assertEquals("old", Files.readString(inner.resolve("file")));
    try (var children = Files.list(outside)) {
      assertEquals(0, children.count());
    }
  }

  @Test
  void symlink_targetByteForByte_ownerAndTimesOfTheLinkItself() throws Exception {
    Requirements.root();
    Path target = Files.writeString(dir.resolve("target"), "t");
    Path link = dir.resolve("link");
    try (TargetDirectory t = open(dir)) {
      assertTrue(t.symlink(c("target//"), c("link"), link)); // not normalised
      t.lchown(c("link"), link, 4321, 8765);
      t.setTimes(c("link"), link, 1_200_000_000L, 42);
      assertEquals(false, t.symlink(c("elsewhere"), c("target"), target), "a name in use");
    }
    assertEquals("target//", Posix.readlink(link));
    FileStat st = Posix.lstat(link);
    assertEquals(4321, st.uid());
    assertEquals(8765, st.gid());
    assertEquals(1_200_000_000L, st.mtimeSeconds());
    assertEquals(42, st.mtimeNanos());
    assertEquals(0, Posix.lstat(target).uid(), "the target itself is not changed");
    assertEquals("t", Files.readString(target));
  }

  @Test
  void createdFile_isPrivateUntilItsModeIsGiven() throws Exception {
    try (TargetDirectory t = open(dir); TargetDirectory.NewFile f = t.create(c("p"), dir.resolve("p"))) {
      assertEquals(0600, Posix.lstat(dir.resolve("p")).mode() & 07777);
    }
  }
}
