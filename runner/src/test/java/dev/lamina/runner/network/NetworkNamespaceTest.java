package dev.lamina.runner.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Namespaces pinned and unpinned on files under a temp dir. */
class NetworkNamespaceTest {
  @TempDir Path dir;

  @BeforeEach
  void root() {
    Requirements.root();
  }

  @AfterEach
  void unpin() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        NetworkNamespace.remove(f);
      }
    }
  }

  /** The network namespaces the threads of this process are in. */
  private static Set<String> ownNamespaces() throws Exception {
    Set<String> out = new HashSet<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path t : tasks.toList()) {
        try {
          out.add(Files.readSymbolicLink(t.resolve("ns/net")).toString());
        } catch (java.nio.file.NoSuchFileException ended) {
          // A thread that ended meanwhile.
        }
      }
    }
    return out;
  }

  private static String inode(Path pinned) throws Exception {
    return "net:[" + Files.getAttribute(pinned, "unix:ino") + "]";
  }

  @Test
  void create_pinsANewNamespace_andLeavesThisProcessInItsOwn() throws Exception {
    String host = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
    Path a = NetworkNamespace.create(dir.resolve("a"));
    Path b = NetworkNamespace.create(dir.resolve("b"));
    assertTrue(NetworkNamespace.isPinned(a));
    assertTrue(NetworkNamespace.isPinned(b));
    assertNotEquals(host, inode(a));
    assertNotEquals(inode(a), inode(b));
    // No thread of this process was left in a namespace it made.
    assertEquals(Set.of(host), ownNamespaces());
    // The namespace has loopback alone: nothing of the host's links.
    Process p = new ProcessBuilder("nsenter", "--net=" + a, "ip", "-o", "link").redirectErrorStream(true).start();
    String links = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), links);
    assertEquals(List.of("lo"), links.lines().map(l -> l.split(":\\s+")[1]).toList(), links);
  }

  @Test
  void remove_unpinsAndDeletes_evenWhenPinnedTwice_andMayRunAgain() throws Exception {
    Path a = NetworkNamespace.create(dir.resolve("a"));
    // A second mount on the same file (as a second pin would leave it).
    Process p = new ProcessBuilder("mount", "--bind", a.toString(), a.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
    NetworkNamespace.remove(a);
    assertFalse(NetworkNamespace.isPinned(a));
    assertFalse(Files.exists(a));
    NetworkNamespace.remove(a);
  }

  @Test
  void create_onAPathThatExists_failsAndLeavesIt() throws Exception {
    Path taken = Files.writeString(dir.resolve("taken"), "x");
    assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> NetworkNamespace.create(taken));
    assertFalse(NetworkNamespace.isPinned(taken));
    assertEquals("x", Files.readString(taken));
  }
}
