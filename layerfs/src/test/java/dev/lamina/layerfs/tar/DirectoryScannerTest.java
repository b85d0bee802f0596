package dev.lamina.layerfs.tar;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.testing.Requirements;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DirectoryScannerTest {
  @TempDir Path root;

  private static Map<String, LayerEntry> byPath(List<LayerEntry> entries) {
    return entries.stream().collect(Collectors.toMap(LayerEntry::path, Function.identity()));
  }

  @Test
  void scan_givesSortedEntriesWithMetadata() throws Exception {
    Files.createDirectories(root.resolve("b/c"));
    Files.writeString(root.resolve("b/c/file"), "hello");
    Files.writeString(root.resolve("a-b"), "");
    Posix.chmod(root.resolve("b/c/file"), 0640);
    Posix.lutimes(root.resolve("b/c/file"), 1234, 500);

    List<LayerEntry> entries = DirectoryScanner.scan(root);

    assertEquals(List.of("a-b", "b", "b/c", "b/c/file"),
        entries.stream().map(LayerEntry::path).toList());
    LayerEntry file = byPath(entries).get("b/c/file");
    assertEquals(EntryType.REGULAR, file.type());
    assertEquals(5, file.size());
    assertEquals(0640, file.mode());
    assertEquals(Instant.ofEpochSecond(1234, 500), file.mtime());
    try (InputStream in = file.content().open()) {
      assertArrayEquals("hello".getBytes(UTF_8), in.readAllBytes());
    }
    assertEquals(EntryType.DIRECTORY, byPath(entries).get("b").type());
  }

  @Test
  void scan_symlinkToDirectory_isNotFollowed() throws Exception {
    Path outside = Files.createDirectories(root.resolve("../outside-" + root.getFileName()));
    Files.writeString(outside.resolve("secret"), "s");
    Files.createDirectory(root.resolve("in"));
    Files.createSymbolicLink(root.resolve("in/out"), outside);

    List<LayerEntry> entries = DirectoryScanner.scan(root.resolve("in"));

    assertEquals(1, entries.size());
    assertEquals(EntryType.SYMLINK, entries.get(0).type());
    assertEquals(outside.toString(), entries.get(0).linkTarget());
  }

  @Test
  void scan_rootIsSymlinkOrFile_throwsNotDirectory() throws Exception {
    Files.createDirectory(root.resolve("dir"));
    Files.createSymbolicLink(root.resolve("link"), root.resolve("dir"));
    Files.writeString(root.resolve("file"), "x");

    assertThrows(NotDirectoryException.class, () -> DirectoryScanner.scan(root.resolve("link")));
    assertThrows(NotDirectoryException.class, () -> DirectoryScanner.scan(root.resolve("file")));
  }

  @Test
  void scan_hardlinks_firstPathInSortedOrderCarriesTheContent() throws Exception {
    Files.createDirectories(root.resolve("z"));
    Files.writeString(root.resolve("z/original"), "data");
    Files.createLink(root.resolve("m"), root.resolve("z/original"));
    Files.createLink(root.resolve("a"), root.resolve("z/original"));

    Map<String, LayerEntry> entries = byPath(DirectoryScanner.scan(root));

    assertEquals(EntryType.REGULAR, entries.get("a").type());
    assertEquals(4, entries.get("a").size());
    assertEquals(EntryType.HARDLINK, entries.get("m").type());
    assertEquals("a", entries.get("m").linkTarget());
    assertEquals(EntryType.HARDLINK, entries.get("z/original").type());
    assertEquals("a", entries.get("z/original").linkTarget());
    assertNull(entries.get("m").content());
  }

  @Test
  void scan_includeFilter_decidesHardlinksAmongIncludedPathsOnly() throws Exception {
    Files.writeString(root.resolve("a"), "data");
    Files.createLink(root.resolve("b"), root.resolve("a"));
    Files.createDirectory(root.resolve("skipped"));
    Files.writeString(root.resolve("skipped/kept"), "k");

    List<LayerEntry> entries =
        DirectoryScanner.scan(root, p -> !p.equals("a") && !p.equals("skipped"));

    assertEquals(List.of("b", "skipped/kept"), entries.stream().map(LayerEntry::path).toList());
    assertEquals(EntryType.REGULAR, entries.get(0).type());
    // the left-out parent becomes an implied directory when written
    TarContents read = TarContents.read(LayerWriterTest.tar(entries));
    assertEquals(List.of("b", "skipped/", "skipped/kept"), read.names());
  }

  @Test
  void scan_xattrs_keepsOrdinaryOnesAndLeavesOutOverlayPrivateOnes() throws Exception {
    Requirements.root();
    Path f = Files.writeString(root.resolve("f"), "x");
    Posix.lsetxattr(f, "user.kept", new byte[] {1, 2, (byte) 0xff});
    Posix.lsetxattr(f, "trusted.kept", "t".getBytes(UTF_8));
    Posix.lsetxattr(f, "trusted.overlay.opaque", "y".getBytes(UTF_8));
    Posix.lsetxattr(f, "trusted.overlay.redirect", "/x".getBytes(UTF_8));
    Posix.lsetxattr(f, "user.overlay.origin", "o".getBytes(UTF_8));

    LayerEntry entry = DirectoryScanner.scan(root).get(0);

    assertEquals(List.of("trusted.kept", "user.kept"), List.copyOf(entry.xattrs().keySet()));
    assertArrayEquals(new byte[] {1, 2, (byte) 0xff}, entry.xattrs().get("user.kept"));
  }

  @ParameterizedTest
  @CsvSource({
    "trusted.overlay.opaque, true",
    "user.overlay.whiteout, true",
    "security.selinux, true",
    "trusted.overlayx, false",
    "user.kept, false",
    "security.capability, false"
  })
  void isLeftOut_table(String name, boolean leftOut) {
    assertEquals(leftOut, DirectoryScanner.isLeftOut(name));
  }

  @Test
  void scan_ownersAndSpecialFiles() throws Exception {
    Requirements.root();
    Path f = Files.writeString(root.resolve("owned"), "x");
    Posix.lchown(f, 4_000_000, 77);
    Posix.mknod(root.resolve("tty"), dev.lamina.layerfs.posix.FileStat.S_IFCHR | 0620, 4, 1);
    Posix.chmod(root.resolve("tty"), 0620); // past the umask
    Posix.mknod(root.resolve("fifo"), dev.lamina.layerfs.posix.FileStat.S_IFIFO | 0600, 0, 0);
    Files.createSymbolicLink(root.resolve("dangling"), Path.of("nowhere/at/all"));

    Map<String, LayerEntry> entries = byPath(DirectoryScanner.scan(root));

    assertEquals(4_000_000, entries.get("owned").uid());
    assertEquals(77, entries.get("owned").gid());
    assertEquals(EntryType.CHAR_DEVICE, entries.get("tty").type());
    assertEquals(4, entries.get("tty").devMajor());
    assertEquals(1, entries.get("tty").devMinor());
    assertEquals(0620, entries.get("tty").mode());
    assertEquals(EntryType.FIFO, entries.get("fifo").type());
    assertEquals("nowhere/at/all", entries.get("dangling").linkTarget());
    assertFalse(entries.containsKey(""));
    assertTrue(entries.values().stream().allMatch(e -> !e.path().startsWith("/")));
  }
}
