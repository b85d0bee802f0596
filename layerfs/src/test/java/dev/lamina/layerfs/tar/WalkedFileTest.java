package dev.lamina.layerfs.tar;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.testing.Requirements;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files of a {@link DirectoryScanner#walk} ({@code COPY --from}, {@code import}), read ahead
 * when small and by name in their directories: the layer is byte for byte the one written from
 * the same tree opened by path ({@link DirectoryScanner#scan}), a file that changed since the walk
 * still fails the write, and a directory swapped for a symlink never leads a read out of the tree.
 */
class WalkedFileTest {
  private static final int MAX = ReadAhead.MAX_FILE;

  @TempDir Path tmp;

  private static byte[] layer(Iterable<LayerEntry> entries) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    LayerWriter.preservingMtimes().writeSorted(entries, out);
    return out.toByteArray();
  }

  private static Iterator<LayerEntry> walk(Path root) throws IOException {
    return DirectoryScanner.walk(root, p -> true).iterator();
  }

  /** The walk's entries up to and including {@code path}, which it hands out last. */
  private static LayerEntry advanceTo(Iterator<LayerEntry> walk, String path) {
    while (walk.hasNext()) {
      LayerEntry e = walk.next();
      if (e.path().equals(path)) {
        return e;
      }
    }
    throw new AssertionError(path + " not walked");
  }

  @Test
  void walk_sameLayerAsByPath_filesAroundTheLimitManyAndLinked_withOwnersModesAndXattrs()
      throws Exception {
    Requirements.root();
    Path root = Files.createDirectories(tmp.resolve("tree"));
    Random random = new Random(7);
    int[] sizes = {0, 1, 511, 512, MAX - 1, MAX, MAX + 1, 3 * MAX + 17};
    for (int size : sizes) {
      byte[] bytes = new byte[size];
      random.nextBytes(bytes);
      Files.write(root.resolve("f" + size), bytes);
    }
    // More files, and more bytes, than the read-ahead holds at once (entries and bytes bounds).
    Path many = Files.createDirectories(root.resolve("many"));
    for (int i = 0; i < 400; i++) {
      byte[] bytes = new byte[random.nextInt(2 * MAX)];
      random.nextBytes(bytes);
      Files.write(many.resolve(String.format("m%03d", i)), bytes);
    }
    Files.createLink(root.resolve("z-link-small"), root.resolve("f511"));
    Files.createLink(root.resolve("z-link-large"), root.resolve("f" + (MAX + 1)));
    Posix.lchown(root.resolve("f" + MAX), 1234, 5678);
    Posix.lchown(many.resolve("m007"), 4000000, 7);
    Posix.chmod(root.resolve("f1"), 04751);
    Posix.lsetxattr(root.resolve("f512"), "user.note", "kept".getBytes(StandardCharsets.UTF_8));
    Posix.lsetxattr(many, "user.dir", new byte[] {0, 1, 2});

    byte[] walked = layer(DirectoryScanner.walk(root, p -> true));
    byte[] byPath = layer(DirectoryScanner.scan(root));

    assertArrayEquals(byPath, walked, "the same layer as the files opened by path");
    // ...and that layer holds each file's own bytes, links and metadata.
    int regular = 0;
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(walked))) {
      TarArchiveEntry e;
      while ((e = in.getNextEntry()) != null) {
        Path file = root.resolve(e.getName());
        if (e.isFile() && !e.isLink()) {
          assertArrayEquals(Files.readAllBytes(file), in.readAllBytes(), e.getName());
          regular++;
        }
        if (e.getName().equals("f" + MAX)) {
          assertEquals(1234, e.getLongUserId());
          assertEquals(5678, e.getLongGroupId());
        }
        if (e.getName().equals("f1")) {
          assertEquals(04751, e.getMode() & 07777);
        }
        if (e.getName().equals("f512")) {
          assertEquals("kept", e.getExtraPaxHeader("SCHILY.xattr.user.note"));
        }
        if (e.getName().startsWith("z-link-")) {
          assertTrue(e.isLink(), e.getName());
        }
      }
    }
    assertEquals(sizes.length + 400, regular);
  }

  @Test
  void walk_fileChangedSizeAfterItWasStated_failsTheWrite() throws Exception {
    for (int size : new int[] {100, MAX, MAX + 100}) {
      for (int now : new int[] {size - 1, size + 1}) {
        Path root = Files.createDirectories(tmp.resolve("changed-" + size + "-" + now));
        Files.write(root.resolve("a"), new byte[10]);
        Files.write(root.resolve("f"), new byte[size]);
        Iterator<LayerEntry> walk = walk(root); // the directory is listed and stat'ed here
        Files.write(root.resolve("f"), new byte[now]);

        ContentChangedException e = assertThrows(ContentChangedException.class,
            () -> layer(() -> walk), size + " -> " + now);
        assertTrue(e.getMessage().contains("f"), e.getMessage());
      }
    }
  }

  /**
   * A directory deleted and replaced by a symlink to outside the tree after the walk found a file
   * in it, before the file is read (CVE-2018-15664's race): the read fails, where a read by path
   * gave the outside file of the same name and size.
   */
  @Test
  void walk_directorySwappedForASymlinkBeforeAFileIsRead_failsWithoutReadingOutside()
      throws Exception {
    byte[] mine = new byte[MAX + 1000]; // too large to be read ahead: read when written
    byte[] host = new byte[mine.length];
    Arrays.fill(mine, (byte) 'm');
    Arrays.fill(host, (byte) 'h');
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.write(outside.resolve("big"), host);
    Path root = Files.createDirectories(tmp.resolve("tree"));
    Files.createDirectories(root.resolve("d"));
    Files.write(root.resolve("d/big"), mine);

    Iterator<LayerEntry> walk = walk(root);
    LayerEntry big = advanceTo(walk, "d/big");
    Files.delete(root.resolve("d/big"));
    Files.delete(root.resolve("d"));
    Posix.symlink(outside.toString(), root.resolve("d"));

    assertThrows(NoSuchFileException.class, () -> big.content().open().close());
  }

  /** The same swap with the directory moved away: the file read is the one the walk found. */
  @Test
  void walk_directoryMovedAndReplacedByASymlink_readsTheFileTheWalkFound() throws Exception {
    byte[] mine = new byte[MAX + 1000];
    Arrays.fill(mine, (byte) 'm');
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.write(outside.resolve("big"), new byte[mine.length]);
    Path root = Files.createDirectories(tmp.resolve("tree"));
    Files.createDirectories(root.resolve("d"));
    Files.write(root.resolve("d/big"), mine);

    Iterator<LayerEntry> walk = walk(root);
    LayerEntry big = advanceTo(walk, "d/big");
    Files.move(root.resolve("d"), tmp.resolve("moved"));
    Posix.symlink(outside.toString(), root.resolve("d"));

    try (InputStream in = big.content().open()) {
      assertArrayEquals(mine, in.readAllBytes());
    }
  }

  @Test
  void open_fileSwappedForASymlink_isRefused() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("tree"));
    Files.write(root.resolve("big"), new byte[MAX + 1]);
    Files.write(tmp.resolve("secret"), new byte[MAX + 1]);

    Iterator<LayerEntry> walk = walk(root);
    LayerEntry big = advanceTo(walk, "big");
    Files.delete(root.resolve("big"));
    Posix.symlink(tmp.resolve("secret").toString(), root.resolve("big"));

    assertThrows(IOException.class, () -> big.content().open().close());
  }

  @Test
  void readAhead_keepsExactlyTheFilesBytes_andTheirDirectoryIsLetGoOnceRead() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("tree"));
    Random random = new Random(11);
    for (int size : new int[] {1, MAX - 1, MAX}) {
      byte[] bytes = new byte[size];
      random.nextBytes(bytes);
      Files.write(root.resolve("f"), bytes);
      WalkedFile f = (WalkedFile) walkedEntry(root, "f").content();
      assertTrue(f.wantsReadAhead());
      assertEquals(size, f.readAhead());
      Files.write(root.resolve("f"), new byte[size]); // other bytes now: the held ones are given
      try (InputStream in = f.open()) {
        assertArrayEquals(bytes, in.readAllBytes(), "size " + size);
      }
    }
    Files.write(root.resolve("f"), new byte[MAX + 1]);
    WalkedFile large = (WalkedFile) walkedEntry(root, "f").content();
    assertEquals(false, large.wantsReadAhead());
    assertEquals(0, large.readAhead());
  }

  /** The entry of {@code name} as the tree walk describes it, before any read ahead. */
  private static LayerEntry walkedEntry(Path root, String name) throws IOException {
    for (LayerEntry e : new TreeWalk(root, p -> p.equals(name),
        (path, file, st, xattrs, hardlinkTo, recalled, where) ->
            LayerEntry.regular(path, st.size(), new WalkedFile(file, st.size(), where)))) {
      return e;
    }
    throw new AssertionError(name + " not walked");
  }
}
