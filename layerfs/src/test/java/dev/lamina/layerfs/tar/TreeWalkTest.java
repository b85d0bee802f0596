package dev.lamina.layerfs.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.posix.Posix;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tree walked one directory at a time and streamed into a layer gives what GNU tar's {@code
 * --sort=name} gives for the same tree: the same entries in the same order with the same
 * metadata and contents, the names a prefix of each other (a directory and {@code a-b}, {@code
 * a.txt} beside it) included.
 */
class TreeWalkTest {
  @TempDir Path tmp;

  /** Every entry as one line: name, type, mode, owner, size, time, link target, content digest. */
  static List<String> describe(byte[] tar) throws IOException {
    List<String> out = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(
        new java.io.ByteArrayInputStream(tar))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        String name = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
        if (name.isEmpty()) {
          continue; // GNU tar's "./" for the root itself
        }
        String link = e.isLink() && e.getLinkName().startsWith("./")
            ? e.getLinkName().substring(2) : e.getLinkName();
        out.add(name + " " + (char) e.getLinkFlag() + " " + Integer.toOctalString(e.getMode())
            + " " + e.getLongUserId() + ":" + e.getLongGroupId() + " " + e.getSize() + " "
            + e.getModTime().getTime() / 1000 + " " + link + " "
            + Digest.sha256(in.readAllBytes()).shortHex());
      }
    }
    return out;
  }

  private static void makeTree(Path root) throws IOException {
    Random random = new Random(42);
    // a directory, and siblings whose names extend its name with characters below '/'
    for (String dir : List.of("a", "a b", "a-b", "a.b", "b/c/d", "b/c-d", "z")) {
      Files.createDirectories(root.resolve(dir));
    }
    for (String file : List.of("a.txt", "a/x", "a/x.y", "a-b/f", "a.b/f", "a b/f", "b/c/d/e",
        "b/c-d/e", "b/c.d", "z/empty")) {
      byte[] bytes = new byte[file.equals("z/empty") ? 0 : random.nextInt(3000)];
      random.nextBytes(bytes);
      Files.write(root.resolve(file), bytes);
    }
    for (int i = 0; i < 300; i++) {
      Files.writeString(root.resolve("b/c/d/f" + i), "file " + i);
    }
    Files.createLink(root.resolve("z/hard"), root.resolve("a/x"));
    Posix.symlink("../a/x", root.resolve("z/link"));
    Posix.chmod(root.resolve("a/x.y"), 04755);
    Posix.lutimes(root.resolve("a.txt"), 1_000_000_000L, 0);
  }

  @Test
  void walkWrittenSorted_isGnuTarSortName() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("tree"));
    makeTree(root);
    Path reference = tmp.resolve("reference.tar");
    Tools.run("tar", "--sort=name", "--numeric-owner", "--owner=0", "--group=0", "-C",
        root.toString(), "-cf", reference.toString(), ".");

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LayerWriter.preservingMtimes().writeSorted(DirectoryScanner.walk(root, p -> true), out);

    List<String> ours = describe(out.toByteArray());
    List<String> gnu = describe(Files.readAllBytes(reference));
    for (int i = 0; i < Math.min(ours.size(), gnu.size()); i++) {
      assertEquals(gnu.get(i), ours.get(i), "entry " + i);
    }
    assertEquals(gnu.size(), ours.size());
    assertTrue(ours.indexOf(ours.stream().filter(l -> l.startsWith("a/x ")).findFirst()
        .orElseThrow()) < ours.indexOf(ours.stream().filter(l -> l.startsWith("a-b/ "))
        .findFirst().orElseThrow()), "a directory's subtree comes before a-b");
  }

  @Test
  void writeSorted_addsMissingParentsBeforeTheirFirstChild() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LayerWriter.preservingMtimes().writeSorted(List.of(
        LayerWriterTest.file("a/b/c", "1"), LayerWriterTest.file("a/b/d", "2"),
        LayerWriterTest.file("a/e/f", "3"), LayerWriterTest.file("a-z", "4")), out);

    List<String> names = describe(out.toByteArray()).stream()
        .map(l -> l.substring(0, l.indexOf(' '))).toList();
    assertEquals(List.of("a/", "a/b/", "a/b/c", "a/b/d", "a/e/", "a/e/f", "a-z"), names);
  }

  @Test
  void writeSorted_refusesDisorderDuplicatesAndChildrenOfFiles() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LayerWriter w = LayerWriter.preservingMtimes();
    assertThrows(IllegalArgumentException.class, () -> w.writeSorted(List.of(
        LayerWriterTest.file("a-b", "1"), LayerWriterTest.file("a/b", "2")), out));
    assertThrows(IllegalArgumentException.class, () -> w.writeSorted(List.of(
        LayerWriterTest.file("a", "1"), LayerWriterTest.file("a", "2")), out));
    assertThrows(IllegalArgumentException.class, () -> w.writeSorted(List.of(
        LayerWriterTest.file("a", "1"), LayerWriterTest.file("a/b", "2")), out));
    assertThrows(IllegalArgumentException.class, () -> w.writeSorted(List.of(
        LayerEntry.hardlink("a", "b"), LayerWriterTest.file("b", "2")), out));
  }

  @Test
  void walk_directoryGoneBeforeItIsListed_failsTheWriteWithItsError() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("gone"));
    Files.createDirectories(root.resolve("d"));
    Files.writeString(root.resolve("d/f"), "f");
    Iterator<LayerEntry> walk = DirectoryScanner.walk(root, p -> true).iterator();
    Files.delete(root.resolve("d/f"));
    Files.delete(root.resolve("d"));
    Files.writeString(root.resolve("d"), "a file now");

    assertThrows(NotDirectoryException.class, () -> LayerWriter.preservingMtimes()
        .writeSorted(() -> walk, new ByteArrayOutputStream()));
  }

  /**
   * A directory swapped for a symlink to outside the tree after its parent was listed (a context
   * changed during a build; CVE-2018-15664's race) fails the walk: nothing outside is listed.
   */
  @Test
  void walk_directorySwappedForASymlinkAfterItsParentWasListed_failsAndDoesNotLeaveTheTree()
      throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("secret"), "host");
    Path root = Files.createDirectories(tmp.resolve("tree"));
    Files.createDirectories(root.resolve("d"));
    Files.writeString(root.resolve("d/mine"), "mine");
    Iterator<LayerEntry> walk = DirectoryScanner.walk(root, p -> true).iterator();
    Files.move(root.resolve("d"), tmp.resolve("moved"));
    Posix.symlink(outside.toString(), root.resolve("d"));

    List<String> seen = new ArrayList<>();
    assertThrows(UncheckedIOException.class, () -> {
      while (walk.hasNext()) {
        seen.add(walk.next().path());
      }
    });
    assertTrue(seen.stream().noneMatch(p -> p.contains("secret")), seen.toString());
  }

  /** A tree deeper than one listing ahead, each directory opened from its parent. */
  @Test
  void walk_deepTree_givesEveryLevelInOrder() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("deep"));
    Path d = root;
    StringBuilder path = new StringBuilder();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      d = Files.createDirectory(d.resolve("d" + (i % 10)));
      path.append(i == 0 ? "" : "/").append("d").append(i % 10);
      expected.add(path.toString());
      Files.writeString(d.getParent().resolve("f" + (i % 10)), "x" + i);
      expected.add((i == 0 ? "" : path.substring(0, path.lastIndexOf("/")) + "/") + "f" + (i % 10));
    }
    List<String> seen = new ArrayList<>();
    for (LayerEntry e : DirectoryScanner.walk(root, p -> true)) {
      seen.add(e.path());
    }
    List<String> sorted = new ArrayList<>(expected);
    sorted.sort(LayerEntry.PATH_ORDER);
    assertEquals(sorted, seen);
  }
}
