package dev.lamina.layerfs.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.posix.Statx;
import dev.lamina.layerfs.store.Trees;
import dev.lamina.layerfs.tar.ApplyOptions;
import dev.lamina.layerfs.tar.EntryType;
import dev.lamina.layerfs.tar.LayerApplier;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.LayerWriter;
import dev.lamina.layerfs.tar.WhiteoutFormat;
import dev.lamina.layerfs.testing.Requirements;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each change made to a recorded tree shows in its diff as an upper would hold it, and the diff
 * applied to a copy of the tree as it was recorded gives the changed tree.
 */
class TreeDiffTest {
  @TempDir Path tmp;
  private Path tree;
  private Path copy;

  @BeforeEach
  void setUp() throws IOException {
    Requirements.root();
    tree = Files.createDirectories(tmp.resolve("tree"));
    Files.createDirectories(tree.resolve("etc/conf.d"));
    Files.writeString(tree.resolve("etc/passwd"), "root:x:0:0\n");
    Files.writeString(tree.resolve("etc/conf.d/a"), "a");
    Files.writeString(tree.resolve("etc/conf.d/b"), "b");
    Files.createDirectories(tree.resolve("usr/bin"));
    Files.writeString(tree.resolve("usr/bin/tool"), "tool");
    Files.createSymbolicLink(tree.resolve("usr/bin/alias"), Path.of("tool"));
    Files.writeString(tree.resolve("usr/bin/other"), "other");
    copy = tmp.resolve("copy");
    run("cp", "-a", tree.toString(), copy.toString());
  }

  @Test
  void unchangedTree_givesAnEmptyDiff() throws IOException {
    TreeDiff diff = record();
    Files.readString(tree.resolve("etc/passwd")); // reading changes nothing a layer keeps
    assertEquals(List.of(), diff.entries());
  }

  @Test
  void addedFile_withItsParents() throws IOException {
    TreeDiff diff = record();
    Files.createDirectories(tree.resolve("opt/app"));
    Files.writeString(tree.resolve("opt/app/run"), "run");
    Files.writeString(tree.resolve("etc/conf.d/c"), "c");

    assertEquals(
        List.of("etc", "etc/conf.d", "etc/conf.d/c", "opt", "opt/app", "opt/app/run"),
        paths(diff.entries()));
    assertReplays(diff);
  }

  @Test
  void modifiedContent_sameSizeAndRestoredMtime_isSeen() throws IOException {
    TreeDiff diff = record();
    FileStat was = Posix.lstat(tree.resolve("etc/passwd"));
    Files.writeString(tree.resolve("etc/passwd"), "ROOT:X:0:0\n");
    Posix.lsetMtime(tree.resolve("etc/passwd"), was.mtimeSeconds(), was.mtimeNanos());

    assertEquals(List.of("etc", "etc/passwd"), paths(diff.entries()));
    assertReplays(diff);
  }

  @Test
  void chmodAndChown_areChanges() throws IOException {
    TreeDiff diff = record();
    Posix.chmod(tree.resolve("usr/bin/tool"), 04755);
    Posix.lchown(tree.resolve("etc/conf.d/a"), 1000, 1000);

    List<LayerEntry> entries = diff.entries();
    assertEquals(
        List.of("etc", "etc/conf.d", "etc/conf.d/a", "usr", "usr/bin", "usr/bin/tool"),
        paths(entries));
    assertEquals(04755, entry(entries, "usr/bin/tool").mode());
    assertEquals(1000, entry(entries, "etc/conf.d/a").uid());
    assertReplays(diff);
  }

  @Test
  void deletedFile_isAWhiteout() throws IOException {
    TreeDiff diff = record();
    Files.delete(tree.resolve("etc/conf.d/a"));

    assertEquals(List.of("etc", "etc/conf.d", "etc/conf.d/.wh.a"), paths(diff.entries()));
    assertReplays(diff);
  }

  @Test
  void deletedDirectory_isOneWhiteout() throws IOException {
    TreeDiff diff = record();
    Trees.deleteRecursively(tree.resolve("etc/conf.d"));
    Trees.deleteRecursively(tree.resolve("usr"));

    assertEquals(List.of(".wh.usr", "etc", "etc/.wh.conf.d"), paths(diff.entries()));
    assertReplays(diff);
  }

  @Test
  void replacedDirectory_isOpaqueWithAllItHolds() throws IOException {
    TreeDiff diff = record();
    // The old directory is removed last, so the new one cannot get its inode number.
    Files.move(tree.resolve("etc/conf.d"), tmp.resolve("old"));
    Files.createDirectories(tree.resolve("etc/conf.d/sub"));
    Files.writeString(tree.resolve("etc/conf.d/b"), "b");
    Trees.deleteRecursively(tmp.resolve("old"));

    assertEquals(
        List.of("etc", "etc/conf.d", "etc/conf.d/.wh..wh..opq", "etc/conf.d/b", "etc/conf.d/sub"),
        paths(diff.entries()));
    assertReplays(diff);
  }

  @Test
  void replacedDirectory_removedAndMadeAgainAtOnce_isOpaqueAsOverlayfsMakesIt() throws IOException {
    Requirements.require(
        Statx.birthTime(tree).isPresent(), "a temporary directory keeping birth times (statx)");
    TreeDiff diff = record();
    // rm -rf then mkdir: ext4 most often hands the freed inode number straight out again (not
    // always: the same entries are expected either way).
    Trees.deleteRecursively(tree.resolve("etc/conf.d"));
    Files.createDirectories(tree.resolve("etc/conf.d/sub"));
    Files.writeString(tree.resolve("etc/conf.d/b"), "b");

    // The same entries as a kernel overlay's upper, so a RUN step gives the same layer either way.
    assertEquals(
        List.of("etc", "etc/conf.d", "etc/conf.d/.wh..wh..opq", "etc/conf.d/b", "etc/conf.d/sub"),
        paths(diff.entries()));
    assertReplays(diff);
  }

  @Test
  void directoryReplacedByAFile_andAFileByADirectory() throws IOException {
    TreeDiff diff = record();
    Trees.deleteRecursively(tree.resolve("etc/conf.d"));
    Files.writeString(tree.resolve("etc/conf.d"), "now a file");
    Files.delete(tree.resolve("etc/passwd"));
    Files.createDirectories(tree.resolve("etc/passwd/inside"));

    assertEquals(
        List.of("etc", "etc/conf.d", "etc/passwd", "etc/passwd/inside"), paths(diff.entries()));
    assertReplays(diff);
  }

  @Test
  void renamedDirectory_isNewPathsAndAWhiteout() throws IOException {
    TreeDiff diff = record();
    Files.move(tree.resolve("etc/conf.d"), tree.resolve("etc/conf"));

    assertEquals(
        List.of("etc", "etc/.wh.conf.d", "etc/conf", "etc/conf/a", "etc/conf/b"),
        paths(diff.entries()));
    assertReplays(diff);
  }

  @Test
  void retargetedSymlink() throws IOException {
    TreeDiff diff = record();
    Files.delete(tree.resolve("usr/bin/alias"));
    Files.createSymbolicLink(tree.resolve("usr/bin/alias"), Path.of("other"));

    List<LayerEntry> entries = diff.entries();
    assertEquals(List.of("usr", "usr/bin", "usr/bin/alias"), paths(entries));
    assertEquals("other", entry(entries, "usr/bin/alias").linkTarget());
    assertReplays(diff);
  }

  @Test
  void hardlinks_amongChangedEntries() throws IOException {
    TreeDiff diff = record();
    Files.writeString(tree.resolve("usr/bin/new"), "new");
    Files.createLink(tree.resolve("usr/bin/new2"), tree.resolve("usr/bin/new"));
    // A link to a recorded file changes that file too (its link count), so both are in the diff.
    Files.createLink(tree.resolve("etc/tool"), tree.resolve("usr/bin/tool"));

    List<LayerEntry> entries = diff.entries();
    assertEquals(
        List.of("etc", "etc/tool", "usr", "usr/bin", "usr/bin/new", "usr/bin/new2", "usr/bin/tool"),
        paths(entries));
    assertEquals(EntryType.HARDLINK, entry(entries, "usr/bin/new2").type());
    assertEquals("usr/bin/new", entry(entries, "usr/bin/new2").linkTarget());
    assertEquals(EntryType.HARDLINK, entry(entries, "usr/bin/tool").type());
    assertEquals("etc/tool", entry(entries, "usr/bin/tool").linkTarget());
    assertReplays(diff);
  }

  @Test
  void newArtifacts_areLeftOut_recordedPathsNever() throws IOException {
    TreeDiff diff = record();
    Files.createDirectories(tree.resolve("proc"));
    Files.writeString(tree.resolve("etc/hosts"), "");
    Files.writeString(tree.resolve("etc/passwd"), "changed");

    assertEquals(
        List.of("etc", "etc/passwd"),
        paths(diff.entries(Set.of("proc", "etc/hosts", "etc", "etc/passwd"))));
  }

  @Test
  void reservedName_isRefused() throws IOException {
    TreeDiff diff = record();
    Files.writeString(tree.resolve("etc/.wh.passwd"), "");

    IOException e = assertThrows(IOException.class, diff::entries);
    assertTrue(e.getMessage().contains("reserved for OCI whiteouts"), e.getMessage());
  }

  /** Records the tree; waits a little so later changes get another status change time. */
  private TreeDiff record() throws IOException {
    TreeDiff diff = TreeDiff.record(tree);
    try {
      // File systems stamp ctime from a coarse clock (a few ms); a RUN step's changes come much
      // later than its record, but a test's come at once.
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return diff;
  }

  /** The diff as a layer applied over the recorded copy gives the changed tree. */
  private void assertReplays(TreeDiff diff) throws IOException {
    ByteArrayOutputStream layer = new ByteArrayOutputStream();
    LayerWriter.preservingMtimes().write(diff.entries(), layer);
    LayerApplier.apply(
        new ByteArrayInputStream(layer.toByteArray()),
        copy,
        ApplyOptions.defaults(WhiteoutFormat.flatten()));
    assertEquals(describe(tree), describe(copy));
  }

  private static List<String> paths(List<LayerEntry> entries) {
    return entries.stream().map(LayerEntry::path).toList();
  }

  private static LayerEntry entry(List<LayerEntry> entries, String path) {
    return entries.stream().filter(e -> e.path().equals(path)).findFirst().orElseThrow();
  }

  private static Map<String, String> describe(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        FileStat st = Posix.lstat(p);
        String what =
            Integer.toOctalString(st.mode())
                + " "
                + st.uid()
                + ":"
                + st.gid()
                + " nlink="
                + (st.isDirectory() ? "-" : st.nlink())
                + (st.isRegularFile()
                    ? " " + new String(Files.readAllBytes(p), StandardCharsets.UTF_8)
                    : st.isSymlink() ? " -> " + Files.readSymbolicLink(p) : "");
        out.put(root.relativize(p).toString(), what);
      }
    }
    out.remove("");
    return out;
  }

  private static void run(String... argv) throws IOException {
    try {
      Process p = new ProcessBuilder(argv).inheritIO().start();
      assertTrue(p.waitFor() == 0, String.join(" ", argv));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }
}
