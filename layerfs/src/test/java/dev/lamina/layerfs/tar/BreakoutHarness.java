package dev.lamina.layerfs.tar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A temp directory holding {@code dest/} (where layers go), a sibling {@code victim/} and a
 * prefix-sharing {@code dest-evil/}, whose every file's type, mode, owner and content are recorded
 * before a layer is applied and compared afterwards.
 */
final class BreakoutHarness {
  final Path base;
  final Path dest;
  final Path victim;
  final Path evil;
  private final Map<String, String> before;

  BreakoutHarness(Path base) throws IOException {
    this.base = base;
    this.dest = Files.createDirectory(base.resolve("dest"));
    this.victim = Files.createDirectory(base.resolve("victim"));
    this.evil = Files.createDirectory(base.resolve("dest-evil"));
    write(victim.resolve("hello"), "hello", 0644);
    write(victim.resolve("perm400"), "read only", 0400);
    Files.createDirectory(victim.resolve("sub"));
    write(victim.resolve("sub/inner"), "inner", 0600);
    write(evil.resolve("secret"), "secret", 0600);
    this.before = snapshot();
  }

  private static void write(Path p, String content, int mode) throws IOException {
    Files.writeString(p, content);
    Posix.chmod(p, mode);
  }

  /** Fails when anything outside {@code dest/} changed. */
  void assertUntouched() throws IOException {
    assertEquals(before, snapshot(), "a file outside the root changed");
  }

  private Map<String, String> snapshot() throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(base)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (p.startsWith(dest) && !p.equals(dest)) {
          continue;
        }
        FileStat st = Posix.lstat(p);
        String what = Integer.toOctalString(st.mode()) + " " + st.uid() + ":" + st.gid();
        if (st.isRegularFile()) {
          what += " " + Digest.sha256(Files.readAllBytes(p));
        } else if (st.isSymlink()) {
          what += " -> " + Files.readSymbolicLink(p);
        } else if (p.equals(dest)) {
          what = "dest";
        }
        out.put(base.relativize(p).toString(), what);
      }
    }
    return out;
  }

  static String read(Path p) throws IOException {
    return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
  }
}
