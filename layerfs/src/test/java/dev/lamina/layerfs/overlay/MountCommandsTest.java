package dev.lamina.layerfs.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MountCommandsTest {
  @TempDir Path tmp;

  @AfterEach
  void cleanUp() throws IOException {
    OverlayMount.unmountAllUnder(tmp);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "/var/lib/lamina/layers/sha256-0a1b/diff | true",
        "/tmp/junit-123/x_y.z+1@h~-2 | true",
        "relative/dir | false",
        "/a,b | false",
        "/a:b | false",
        "/a\"b | false",
        "/a\\b | false",
        "/a b | false",
        "/a=b | false",
        "/caf\u00e9 | false"
      })
  void plain_onlyCharactersNoParserTreatsSpecially(String path, boolean plain) {
    assertEquals(plain, MountCommands.plain(Path.of(path)));
  }

  @Test
  void mountOverlay_thenUnmount() throws IOException {
    Requirements.root();
    Path lower = Files.createDirectory(tmp.resolve("lower"));
    Files.writeString(lower.resolve("f"), "from lower");
    Path merged = Files.createDirectory(tmp.resolve("merged"));
    OverlayMount overlay =
        OverlayMount.of(
            List.of(lower),
            Files.createDirectory(tmp.resolve("upper")),
            Files.createDirectory(tmp.resolve("work")));

    assertTrue(MountCommands.mountOverlay(overlay.optionString(), merged));
    assertTrue(MountTable.isMountPoint(merged, "overlay"));
    assertEquals("from lower", Files.readString(merged.resolve("f")));

    assertTrue(MountCommands.unmount(merged));
    assertFalse(MountTable.isMountPoint(merged, "overlay"));
  }

  @Test
  void failures_answerFalse() throws IOException {
    Requirements.root();
    Path dir = Files.createDirectory(tmp.resolve("dir"));
    assertFalse(MountCommands.unmount(dir));
    assertFalse(MountCommands.mountOverlay("lowerdir=" + tmp.resolve("missing"), dir));
    assertTrue(MountTable.mountPointsUnder(tmp).isEmpty());
  }
}
