package dev.lamina.layerfs.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.layerfs.posix.Posix;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SecureJoin semantics (after filepath-securejoin join_test.go). */
class RootedPathTest {
  @TempDir Path tmp;
  Path root;
  RootedPath paths;

  @BeforeEach
  void setUp() throws Exception {
    root = Files.createDirectory(tmp.toRealPath().resolve("root"));
    paths = new RootedPath(root);
    Files.createDirectories(root.resolve("etc"));
    Files.createDirectories(root.resolve("subdir"));
    Files.createDirectories(root.resolve("cp/c"));
    Files.writeString(root.resolve("file"), "f");
    Posix.symlink("/etc", root.resolve("abs"));
    Posix.symlink("../../../../etc", root.resolve("subdir/up"));
    Posix.symlink("../cp/c", root.resolve("subdir/link"));
    Posix.symlink("/missing/dir", root.resolve("dangling"));
    Posix.symlink("file", root.resolve("tofile"));
    Posix.symlink("/../self", root.resolve("self"));
    Posix.symlink("b", root.resolve("a"));
    Posix.symlink("a", root.resolve("b"));
  }

  @ParameterizedTest
  @CsvSource({
    "'', ''",
    "/, ''",
    "..., ...",
    "../../x, x",
    "/../../../x, x",
    "/./.././../etc/x, etc/x",
    "abs/passwd, etc/passwd",
    "abs/../x, x",
    "subdir/up/passwd, etc/passwd",
    "subdir/link/../t, cp/t",
    "dangling/x, missing/dir/x",
    "missing/../x, x",
    "missing/deeper/../../etc, etc",
    "tofile/x, file/x",
    "..gitme, ..gitme",
    "foo/..bar, foo/..bar",
  })
  void resolve_staysInRootWithChrootSemantics(String name, String expected) throws Exception {
    assertEquals(root.resolve(expected), paths.resolve(name));
  }

  @ParameterizedTest
  @CsvSource({"abs, abs", "subdir/link, subdir/link", "abs/.., ''", "nothere/sub/.., nothere"})
  void resolveNoFollow_keepsFinalSymlink(String name, String expected) throws Exception {
    assertEquals(root.resolve(expected), paths.resolveNoFollow(name));
  }

  /**
   * An entry's name resolves as {@link RootedPath#resolveNoFollow} resolves it, whether its
   * parent was kept from the entry before (same spelling), resolved afresh, or forgotten.
   */
  @Test
  void resolveEntry_sameAsAFreshResolution_keptOrNot() throws Exception {
    String[] names = {"abs/passwd", "abs/group", "abs/../x", "subdir/link/t", "subdir/link/u",
        "subdir/up/passwd", "dangling/x", "dangling/y", "abs", "abs/..", "tofile/x",
        "missing/deeper/../../etc/x", "missing/deeper/../../etc/y", "etc/x", "etc/x"};
    for (int round = 0; round < 2; round++) {
      for (String name : names) {
        assertEquals(paths.resolveNoFollow(name), paths.resolveEntry(name), name);
      }
      paths.forgetEntryParent();
    }
    // A parent that changes between two entries is never kept across a forget.
    paths.resolveEntry("subdir/link/t");
    Files.delete(root.resolve("subdir/link"));
    Posix.symlink("/etc", root.resolve("subdir/link"));
    paths.forgetEntryParent();
    assertEquals(root.resolve("etc/t"), paths.resolveEntry("subdir/link/t"));
  }

  @ParameterizedTest
  @CsvSource({"self/x", "self", "a/x", "b"})
  void resolve_loop_failsInsteadOfHanging(String name) {
    assertThrows(FileSystemLoopException.class, () -> paths.resolve(name));
  }

  @Test
  void resolve_chainAtLimit_resolvesAndOneMoreFails() throws Exception {
    int n = RootedPath.MAX_SYMLINKS;
    for (int i = 0; i < n; i++) {
      Posix.symlink("l" + (i + 1), root.resolve("l" + i));
    }
    Posix.symlink("/etc", root.resolve("l" + n));
    assertEquals(root.resolve("etc"), paths.resolve("l1"));
    assertThrows(FileSystemLoopException.class, () -> paths.resolve("l0"));
  }
}
