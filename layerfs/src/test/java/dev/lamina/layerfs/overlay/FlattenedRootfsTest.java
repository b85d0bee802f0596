package dev.lamina.layerfs.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlattenedRootfsTest {
  @TempDir Path tmp;

  @AfterEach
  void tearDown() throws IOException {
    OverlayMount.unmountAllUnder(tmp);
  }

  @Test
  void assemble_givesWhatTheOverlayMountShows() throws IOException {
    Requirements.root();
    Path bottom = Files.createDirectories(tmp.resolve("bottom"));
    Files.createDirectories(bottom.resolve("etc/conf.d"));
    Files.writeString(bottom.resolve("etc/conf.d/old"), "old");
    Files.writeString(bottom.resolve("etc/gone"), "gone");
    Files.writeString(bottom.resolve("etc/kept"), "kept");
    Files.createSymbolicLink(bottom.resolve("link"), Path.of("etc/kept"));
    Files.setLastModifiedTime(bottom.resolve("etc/kept"), FileTime.fromMillis(123_000));
    Posix.chmod(bottom.resolve("etc/kept"), 04750);
    Path top = Files.createDirectories(tmp.resolve("top"));
    Files.createDirectories(top.resolve("etc/conf.d"));
    Posix.lsetxattr(top.resolve("etc/conf.d"), "trusted.overlay.opaque", "y".getBytes());
    Files.writeString(top.resolve("etc/conf.d/new"), "new");
    Posix.mknod(top.resolve("etc/gone"), FileStat.S_IFCHR, 0, 0);
    Files.writeString(top.resolve("added"), "added");
    List<Path> lowers = List.of(top, bottom);

    Path flat = Files.createDirectories(tmp.resolve("flat"));
    FlattenedRootfs.assemble(lowers, flat);

    Path merged = Files.createDirectories(tmp.resolve("merged"));
    OverlayMount.of(
            lowers,
            Files.createDirectories(tmp.resolve("upper")),
            Files.createDirectories(tmp.resolve("work")))
        .mountOn(merged);
    assertEquals(describe(merged), describe(flat));
    assertEquals(123, Posix.lstat(flat.resolve("etc/kept")).mtimeSeconds(), "mtimes are kept");
    assertEquals(04750, Posix.lstat(flat.resolve("etc/kept")).permissions());
  }

  private static Map<String, String> describe(Path root) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.toList()) {
        FileStat st = Posix.lstat(p);
        String what =
            Integer.toOctalString(st.mode())
                + (st.isRegularFile()
                    ? " " + new String(Files.readAllBytes(p), StandardCharsets.UTF_8)
                    : st.isSymlink() ? " -> " + Files.readSymbolicLink(p) : "");
        out.put(root.relativize(p).toString(), what);
      }
    }
    out.remove(""); // the roots themselves differ (mount point vs plain dir)
    return out;
  }
}
