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

class MountCallsTest {
  @TempDir Path tmp;

  @AfterEach
  void cleanUp() throws IOException {
    OverlayMount.unmountAllUnder(tmp);
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

    assertTrue(MountCalls.mountOverlay(overlay.optionString(), merged));
    assertTrue(MountTable.isMountPoint(merged, "overlay"));
    assertEquals("from lower", Files.readString(merged.resolve("f")));
    Files.writeString(merged.resolve("g"), "to upper");
    assertEquals("to upper", Files.readString(tmp.resolve("upper/g")));

    assertTrue(MountCalls.unmount(merged));
    assertFalse(MountTable.isMountPoint(merged, "overlay"));
  }

  /** A failure answers false and leaves nothing mounted: the caller goes on without these calls. */
  @Test
  void failures_answerFalse() throws IOException {
    Requirements.root();
    Path dir = Files.createDirectory(tmp.resolve("dir"));
    assertFalse(MountCalls.unmount(dir));
    assertFalse(MountCalls.unmount(tmp.resolve("missing")));
    assertFalse(MountCalls.mountOverlay("lowerdir=" + tmp.resolve("missing"), dir));
    assertTrue(MountTable.mountPointsUnder(tmp).isEmpty());
  }
}
