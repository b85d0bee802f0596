package dev.lamina.layerfs.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayMountTest {
  @TempDir Path tmp;
  private Path merged;

  @BeforeEach
  void setUp() throws IOException {
    Requirements.root();
    merged = Files.createDirectory(tmp.resolve("merged"));
  }

  @AfterEach
  void cleanUp() throws IOException {
    // Must run even after a failed assertion, or @TempDir cannot delete the tree.
    OverlayMount.unmountAllUnder(tmp);
  }

  private Path dir(String name) throws IOException {
    return Files.createDirectories(tmp.resolve(name));
  }

  @Test
  void mountOn_130LongNamedLowers_showsEveryFile() throws IOException {
    // Names long enough that the classic option string would need ~three pages.
    String pad = "x".repeat(60);
    List<Path> lowers = new ArrayList<>();
    for (int i = 0; i < 130; i++) {
      Path layer = dir("layer-" + pad + "-" + i);
      Files.writeString(layer.resolve("file-" + i), "layer " + i);
      lowers.add(0, layer);
    }
    OverlayMount overlay = OverlayMount.of(lowers, dir("upper"), dir("work"));
    assertTrue(overlay.optionString().length() > 8192);

    overlay.mountOn(merged);

    assertTrue(MountTable.isMountPoint(merged, "overlay"));
    try (Stream<Path> files = Files.list(merged)) {
      assertEquals(130, files.count());
    }
    for (int i = 0; i < 130; i++) {
      assertEquals("layer " + i, Files.readString(merged.resolve("file-" + i)));
    }
  }

  @Test
  void mountOn_whiteoutInUpperLower_hidesLowerFile() throws IOException {
    Path bottom = dir("bottom");
    Files.writeString(bottom.resolve("hidden"), "gone");
    Files.writeString(bottom.resolve("kept"), "here");
    Path top = dir("top");
    Posix.mknod(top.resolve("hidden"), FileStat.S_IFCHR | 0, 0, 0);

    OverlayMount.of(List.of(top, bottom), dir("upper"), dir("work")).mountOn(merged);

    assertFalse(Files.exists(merged.resolve("hidden")));
    assertEquals("here", Files.readString(merged.resolve("kept")));
  }

  @Test
  void mountOn_writes_landInUpperOnly() throws IOException {
    Path lower = dir("lower");
    Files.writeString(lower.resolve("etc-file"), "original");
    Path upper = dir("upper");

    OverlayMount.of(List.of(lower), upper, dir("work")).mountOn(merged);
    Files.writeString(merged.resolve("etc-file"), "changed");
    Files.writeString(merged.resolve("new-file"), "new");
    Files.delete(merged.resolve("etc-file"));

    assertEquals("original", Files.readString(lower.resolve("etc-file")));
    assertFalse(Files.exists(lower.resolve("new-file")));
    assertEquals("new", Files.readString(upper.resolve("new-file"), StandardCharsets.UTF_8));
    FileStat whiteout = Posix.lstat(upper.resolve("etc-file"));
    assertTrue(whiteout.isCharDevice());
    assertEquals(0, whiteout.rdevMajor());
  }

  @Test
  void mountClassicOn_shortStack_mountsWithOptionString() throws IOException {
    Path top = dir("top");
    Files.writeString(top.resolve("a"), "top");
    Path bottom = dir("bottom");
    Files.writeString(bottom.resolve("a"), "bottom");
    Files.writeString(bottom.resolve("b"), "bottom");

    OverlayMount.of(List.of(top, bottom), dir("upper"), dir("work")).mountClassicOn(merged);

    assertEquals("top", Files.readString(merged.resolve("a")));
    assertEquals("bottom", Files.readString(merged.resolve("b")));
  }

  @Test
  void mountOn_pathsMountCommandsCannotTake_mountThroughTheSystemCalls() throws IOException {
    Path lower = dir("low,er");
    Files.writeString(lower.resolve("a"), "lower");
    Path target = dir("mer\"ged");

    OverlayMount.of(List.of(lower), dir("up:per"), dir("work")).mountOn(target);

    assertTrue(MountTable.isMountPoint(target, "overlay"));
    assertEquals("lower", Files.readString(target.resolve("a")));
    OverlayMount.unmount(target);
    assertFalse(MountTable.isMountPoint(target, "overlay"));
  }

  @Test
  void unmountAllUnder_removesEveryMount() throws IOException {
    Path lower = dir("lower");
    OverlayMount.of(List.of(lower), dir("upper"), dir("work")).mountOn(merged);
    Path second = dir("second");
    OverlayMount.of(List.of(lower), dir("upper2"), dir("work2")).mountOn(second);

    assertEquals(2, OverlayMount.unmountAllUnder(tmp));

    assertTrue(MountTable.mountPointsUnder(tmp).isEmpty());
    String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
    assertFalse(mounts.contains(tmp.toString()));
  }

  @Test
  void volatileUpper_mountedWithTheOption() throws IOException {
    Path lower = dir("lower");
    Files.writeString(lower.resolve("a"), "lower");
    OverlayMount overlay = OverlayMount.of(List.of(lower), dir("upper"), dir("work"));
    assertFalse(overlay.optionString().contains("volatile"));
    assertTrue(overlay.volatileUpper().optionString().endsWith(",volatile"));

    overlay.volatileUpper().mountOn(merged);
    MountTable.Entry e =
        MountTable.read().stream()
            .filter(m -> m.mountPoint().equals(merged))
            .findFirst()
            .orElseThrow();
    assertTrue(e.overlayVolatile(), e.superOptions());
    assertEquals("lower", Files.readString(merged.resolve("a")));
    OverlayMount.unmount(merged);
  }

  @Test
  void unmount_notMounted_fails() {
    assertThrows(IOException.class, () -> OverlayMount.unmount(merged));
  }

  @Test
  void mountOn_missingLower_failsNamingIt() throws IOException {
    Path missing = tmp.resolve("missing");
    IOException e =
        assertThrows(
            IOException.class,
            () -> OverlayMount.of(List.of(missing), dir("upper"), dir("work")).mountOn(merged));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }
}
