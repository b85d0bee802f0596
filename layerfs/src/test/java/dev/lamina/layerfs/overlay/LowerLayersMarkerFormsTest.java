package dev.lamina.layerfs.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.tar.DirectoryScanner;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.WhiteoutFormat;
import dev.lamina.layerfs.testing.LayerStack;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every form of whiteout and opaque marker overlayfs honours, made by hand in layer directories:
 * what {@link LowerLayers} and its walk of a layer make of each is what a real mount of the layers
 * shows, for a kernel mount by root ({@code trusted.overlay.*}), one with {@code userxattr} (as in
 * a user namespace: {@code user.overlay.*}) and fuse-overlayfs (which reads its own {@code
 * user.fuseoverlayfs.opaque} besides both).
 */
class LowerLayersMarkerFormsTest {
  private static final WhiteoutFormat.Overlay TRUSTED =
      (WhiteoutFormat.Overlay) WhiteoutFormat.overlay();
  private static final WhiteoutFormat.Overlay USER =
      (WhiteoutFormat.Overlay) WhiteoutFormat.overlayInUserNamespace();

  @TempDir Path tmp;
  private final List<Path> mounts = new ArrayList<>();

  @BeforeEach
  void setUp() {
    Requirements.root(); // trusted.* attributes, 0:0 devices and mounts need root
  }

  @AfterEach
  void tearDown() throws IOException {
    for (Path m : mounts) {
      OverlayMount.unmount(m);
    }
  }

  /** The mounts a layer stack may be read through, and the form each reads. */
  private enum Mount {
    KERNEL(TRUSTED), KERNEL_USERXATTR(USER), FUSE_OVERLAYFS(USER);

    final WhiteoutFormat.Overlay format;

    Mount(WhiteoutFormat.Overlay format) {
      this.format = format;
    }
  }

  private Path mount(Mount how, List<Path> lowersTopFirst) throws IOException {
    Path dir = Files.createTempDirectory(tmp, "mount");
    Path merged = Files.createDirectories(dir.resolve("merged"));
    if (how == Mount.FUSE_OVERLAYFS) {
      Path fuse = Requirements.tool("fuse-overlayfs");
      OverlayMount.of(lowersTopFirst, Files.createDirectories(dir.resolve("upper")),
          Files.createDirectories(dir.resolve("work"))).mountWithFuseOverlayfs(merged, fuse);
    } else {
      StringBuilder lowers = new StringBuilder();
      for (Path p : lowersTopFirst) {
        lowers.append(lowers.length() == 0 ? "" : ":").append(p);
      }
      // Read-only, lowers alone: the form the mount reads is all that differs.
      Posix.mount("overlay", merged, "overlay", Posix.MS_RDONLY,
          "lowerdir=" + lowers + (how == Mount.KERNEL_USERXATTR ? ",userxattr" : ""));
    }
    mounts.add(merged);
    return merged;
  }

  private static Path file(Path p, String content) throws IOException {
    Files.createDirectories(p.getParent());
    return Files.writeString(p, content);
  }

  private static void mark(Path p, String xattr, String value) throws IOException {
    Posix.lsetxattr(p, xattr, value.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * A directory only the top layer has, holding a 0:0 device whiteout and an empty file marked
   * {@code <ns>overlay.whiteout}: the mount reads the file as a whiteout only where {@code ns} is
   * its own form, and then lists it (the directory being one layer's) but never finds it. Read
   * from the layer, the walk leaves out exactly what the mount's walk does.
   */
  @ParameterizedTest
  @CsvSource({"KERNEL, trusted.", "KERNEL, user.", "KERNEL_USERXATTR, trusted.",
      "KERNEL_USERXATTR, user."})
  void walk_attributeWhiteout_leftOutWhereTheMountHonoursItsForm(Mount how, String ns)
      throws IOException {
    Path bottom = Files.createDirectories(tmp.resolve("bottom"));
    file(bottom.resolve("other/x"), "x");
    Path top = Files.createDirectories(tmp.resolve("top"));
    file(top.resolve("fresh/f"), "f");
    mark(file(top.resolve("fresh/gone"), ""), ns + "overlay.whiteout", "");
    mark(file(top.resolve("fresh/sub/gone"), ""), ns + "overlay.whiteout", "");
    file(top.resolve("fresh/sub/g"), "g");
    Posix.mknod(top.resolve("fresh/ghost"), FileStat.S_IFCHR, 0, 0);
    Path merged = mount(how, List.of(top, bottom));

    LowerLayers layers = LowerLayers.of(List.of(bottom, top), how.format);
    Optional<Path> sole = layers.soleDirectory("fresh");
    assertEquals(Optional.of(top.resolve("fresh")), sole);
    List<String> fromLayer = LayerStack.describe(layers.walk(sole.get(), p -> true));
    List<String> fromMount =
        LayerStack.describe(DirectoryScanner.walkOverlay(merged.resolve("fresh"), p -> true));
    assertEquals(fromMount, fromLayer);

    boolean honoured = (ns + "overlay.").equals(how.format.overlayPrefix());
    assertEquals(!honoured, Files.exists(merged.resolve("fresh/gone"), LinkOption.NOFOLLOW_LINKS),
        "the mount reads the attribute as a whiteout only in its own form");
    assertEquals(!honoured, fromLayer.stream().anyMatch(l -> l.startsWith("gone ")),
        fromLayer.toString());
    assertEquals(!honoured, fromLayer.stream().anyMatch(l -> l.startsWith("sub/gone ")));
    assertTrue(fromLayer.stream().noneMatch(l -> l.startsWith("ghost ")), fromLayer.toString());
  }

  /**
   * A directory of the lower layer under a parent the top layer marks opaque in one of the three
   * forms: where the mount hides it, the layer's directory is never read in its place; where it
   * is, it reads as the mount shows it.
   */
  @ParameterizedTest
  @CsvSource({
    "KERNEL, trusted.overlay.opaque, true",
    "KERNEL, user.overlay.opaque, false",
    "KERNEL, user.fuseoverlayfs.opaque, false",
    "KERNEL_USERXATTR, trusted.overlay.opaque, false",
    "KERNEL_USERXATTR, user.overlay.opaque, true",
    "KERNEL_USERXATTR, user.fuseoverlayfs.opaque, false",
    "FUSE_OVERLAYFS, trusted.overlay.opaque, true",
    "FUSE_OVERLAYFS, user.overlay.opaque, true",
    "FUSE_OVERLAYFS, user.fuseoverlayfs.opaque, true"
  })
  void soleDirectory_underAParentMarkedOpaqueAbove_neverReadWhereTheMountHidesIt(
      Mount how, String marker, boolean hides) throws IOException {
    Path bottom = Files.createDirectories(tmp.resolve("bottom"));
    file(bottom.resolve("data/keep/k"), "k");
    Path top = Files.createDirectories(tmp.resolve("top"));
    file(top.resolve("data/z"), "z");
    mark(top.resolve("data"), marker, "y");
    Path merged = mount(how, List.of(top, bottom));

    assertEquals(!hides, Files.exists(merged.resolve("data/keep")), "the mount's own reading");
    LowerLayers layers = LowerLayers.of(List.of(bottom, top), how.format);
    Optional<Path> sole = layers.soleDirectory("data/keep");
    if (hides) {
      assertEquals(Optional.empty(), sole);
    } else if (sole.isPresent()) {
      assertEquals(
          LayerStack.describe(DirectoryScanner.walkOverlay(merged.resolve("data/keep"), p -> true)),
          LayerStack.describe(layers.walk(sole.get(), p -> true)));
    }
  }

  /**
   * The store's extraction never makes an attribute whiteout or opaque marker the mount honours
   * out of a layer's own attributes: those of the mount's form are escaped ({@code
   * trusted.overlay.overlay.*}), those of the other form mean nothing to it. The mount shows the
   * file, and so does the walk of the layer.
   */
  @Test
  void extractedLayer_itsOwnOverlayAttributes_neitherHideNorMakeOpaque() throws IOException {
    Requirements.require(
        !dev.lamina.layerfs.posix.Rootless.inUserNamespace(), "real root (trusted.* attributes)");
    byte[] none = new byte[0];
    byte[] y = {'y'};
    try (LayerStack s = LayerStack.in(Store.open(tmp.resolve("store")), tmp.resolve("mounts"))) {
      s.layer(LayerEntry.directory("data"), LayerStack.file("data/keep/k", "k"))
          .layer(LayerEntry.directory("data").withXattrs(
                  Map.of("trusted.overlay.opaque", y, "user.overlay.opaque", y)),
              LayerEntry.directory("data/fresh"),
              LayerEntry.emptyFile("data/fresh/pretend").withXattrs(
                  Map.of("trusted.overlay.whiteout", none, "user.overlay.whiteout", none)));
      Path merged = s.mount();
      assertTrue(Files.exists(merged.resolve("data/keep/k")), "data is not opaque");
      assertTrue(Files.exists(merged.resolve("data/fresh/pretend")), "pretend is no whiteout");

      LowerLayers layers = LowerLayers.of(s.extracted());
      Optional<Path> fresh = layers.soleDirectory("data/fresh");
      assertEquals(Optional.of(s.extracted().get(1).resolve("data/fresh")), fresh);
      List<String> fromLayer = LayerStack.describe(layers.walk(fresh.get(), p -> true));
      Path mountedFresh = merged.resolve("data/fresh");
      assertEquals(LayerStack.describe(DirectoryScanner.walkOverlay(mountedFresh, p -> true)),
          fromLayer);
      assertTrue(fromLayer.stream().anyMatch(l -> l.startsWith("pretend ")), fromLayer.toString());
    }
  }
}
