package dev.lamina.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one choice between an overlay and a flattened copy, for containers and RUN steps. */
class RootfsAssemblyTest {
  private static final RootfsAssembly.Upper KEPT = RootfsAssembly.Upper.KEPT;

  @TempDir Path tmp;

  @AfterEach
  void noMountLeft() throws IOException {
    RootfsAssembly.unmount(tmp);
    assertEquals(List.of(), MountTable.mountPointsUnder(tmp));
  }

  /** Layers that say how they were used, and may say overlayfs is refused. */
  private static class Probe implements RootfsAssembly.Layers {
    final List<String> asked = new ArrayList<>();
    final Path lower;
    final IOException refusal;

    Probe(Path lower, IOException refusal) {
      this.lower = lower;
      this.refusal = refusal;
    }

    @Override
    public List<Path> lowersTopFirst() {
      asked.add("lowers");
      return List.of(lower);
    }

    @Override
    public void copyInto(Path rootfs) throws IOException {
      asked.add("copy");
      Files.writeString(rootfs.resolve("f"), "copied");
    }

    @Override
    public Optional<IOException> overlayRefusal() {
      return Optional.ofNullable(refusal);
    }
  }

  private Path lower() throws IOException {
    Path lower = Files.createDirectories(tmp.resolve("lower"));
    Files.writeString(lower.resolve("f"), "lower");
    return lower;
  }

  @Test
  void mount_overlay_writesLandInUpper() throws Exception {
    Requirements.root();
    Path dir = tmp.resolve("c");
    Probe layers = new Probe(lower(), null);
    assertSame(RootfsAssembly.Kind.OVERLAY, RootfsAssembly.mount(dir, layers, KEPT));
    Path rootfs = RootfsAssembly.rootfs(dir);
    assertEquals("lower", Files.readString(rootfs.resolve("f")));
    Files.writeString(rootfs.resolve("g"), "new");
    assertTrue(Files.exists(dir.resolve("upper/g")));
    assertFalse(RootfsAssembly.isFlattened(dir));
    assertEquals(List.of("lowers"), layers.asked);
  }

  /** The mount on {@code target}, from this process's mount table. */
  private static MountTable.Entry mountOn(Path target) throws IOException {
    Path t = target.toAbsolutePath().normalize();
    return MountTable.read().stream().filter(m -> m.mountPoint().equals(t)).findFirst()
        .orElseThrow();
  }

  /**
   * A disposable upper is mounted volatile; the same container mounted again to keep what it
   * writes is not, and is not refused by the mark the volatile mount left in its work directory.
   */
  @Test
  void mount_disposableVolatile_thenKeptOnTheSameDirectory() throws Exception {
    Requirements.root();
    Path dir = tmp.resolve("c");
    Probe layers = new Probe(lower(), null);
    RootfsAssembly.mount(dir, layers, RootfsAssembly.Upper.DISPOSABLE);
    Path rootfs = RootfsAssembly.rootfs(dir);
    assertTrue(mountOn(rootfs).overlayVolatile(), mountOn(rootfs).superOptions());
    Files.writeString(rootfs.resolve("g"), "written");
    RootfsAssembly.unmount(dir);
    assertTrue(Files.isDirectory(dir.resolve("work/work/incompat/volatile")));

    assertSame(RootfsAssembly.Kind.OVERLAY, RootfsAssembly.mount(dir, layers, KEPT));
    assertFalse(mountOn(rootfs).overlayVolatile(), mountOn(rootfs).superOptions());
    assertTrue(mountOn(rootfs).superOptions().contains("upperdir="));
    assertEquals("written", Files.readString(rootfs.resolve("g")));
  }

  @Test
  void mount_overlayKnownRefused_flattenedCopyWithoutTryingOverlay() throws Exception {
    Path dir = tmp.resolve("c");
    Probe layers = new Probe(lower(), new IOException("no overlayfs here"));
    assertSame(RootfsAssembly.Kind.FLATTENED, RootfsAssembly.mount(dir, layers, KEPT));
    assertEquals("copied", Files.readString(RootfsAssembly.rootfs(dir).resolve("f")));
    assertTrue(RootfsAssembly.isFlattened(dir));
    assertEquals(List.of("copy"), layers.asked);
    // The copy is the root filesystem from then on: it is not made again.
    assertSame(RootfsAssembly.Kind.FLATTENED, RootfsAssembly.mount(dir, layers, KEPT));
    assertEquals(List.of("copy"), layers.asked);
  }

  @Test
  void mount_overlayFails_flattenedCopy() throws Exception {
    Path dir = tmp.resolve("c");
    Probe layers = new Probe(tmp.resolve("no-such-lower"), null);
    assertSame(RootfsAssembly.Kind.FLATTENED, RootfsAssembly.mount(dir, layers, KEPT));
    assertEquals(List.of("lowers", "copy"), layers.asked);
    assertTrue(RootfsAssembly.isFlattened(dir));
  }

  @Test
  void mount_neitherWorks_overlaysErrorWithTheCopysSuppressed() throws Exception {
    Path dir = tmp.resolve("c");
    IOException refusal = new IOException("no overlayfs here");
    RootfsAssembly.Layers broken =
        new Probe(lower(), refusal) {
          @Override
          public void copyInto(Path rootfs) throws IOException {
            throw new IOException("disk full");
          }
        };
    IOException e = assertThrows(IOException.class, () -> RootfsAssembly.mount(dir, broken, KEPT));
    assertSame(refusal, e);
    assertEquals("disk full", e.getSuppressed()[0].getMessage());
    assertFalse(RootfsAssembly.isFlattened(dir));
  }

  @Test
  void mount_flattened_reportedToTheListenerNotPrinted() throws Exception {
    List<RootfsAssembly.Flattened> heard = new ArrayList<>();
    java.io.PrintStream oldErr = System.err;
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    try (java.io.PrintStream e = new java.io.PrintStream(err, true)) {
      System.setErr(e);
      RootfsAssembly.reportTo(heard::add);
      RootfsAssembly.mount(
          tmp.resolve("c"), new Probe(lower(), new IOException("no overlay\nmore")), KEPT);
    } finally {
      RootfsAssembly.reportTo(null);
      System.setErr(oldErr);
    }
    assertEquals(List.of(new RootfsAssembly.Flattened.OverlayRefused("no overlay")), heard);
    assertEquals("", err.toString(), "library code prints nothing");
  }
}
