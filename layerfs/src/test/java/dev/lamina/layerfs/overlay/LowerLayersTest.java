package dev.lamina.layerfs.overlay;

import static dev.lamina.layerfs.testing.LayerStack.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.tar.DirectoryScanner;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.testing.LayerStack;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which directories of a stack of extracted layers one layer alone holds, and that reading such a
 * directory from its layer gives what the overlay mount of the stack shows there, entry for entry.
 */
class LowerLayersTest {
  private static final Instant T = Instant.parse("2020-01-02T03:04:05Z");

  @TempDir Path tmp;
  private Store store;
  private final List<LayerStack> stacks = new java.util.ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    Requirements.root(); // overlay-format whiteouts are character devices; mounts need root
    store = Store.open(tmp.resolve("store"));
  }

  @AfterEach
  void tearDown() throws IOException {
    for (LayerStack s : stacks) {
      s.close();
    }
  }

  private LayerStack stack() {
    LayerStack s = LayerStack.in(store, tmp.resolve("mounts"));
    stacks.add(s);
    return s;
  }

  private static LayerEntry dir(String path) {
    return LayerEntry.directory(path).withMtime(T);
  }

  /** data/: a, b, swap, keep/k, gone/g, opq/old. */
  private static LayerEntry[] base() {
    return new LayerEntry[] {
      dir("data"), file("data/a", "a"), file("data/b", "b"), file("data/swap", "old"),
      dir("data/keep"), file("data/keep/k", "k").withOwner(1000, 1000).withMode(0600),
      dir("data/gone"), file("data/gone/g", "g"), dir("data/opq"), file("data/opq/old", "o")
    };
  }

  /**
   * Over {@link #base}: deletes b and gone, replaces swap, makes opq opaque with a new file, adds
   * c next to a (data split across both layers), and adds fresh/, whose whiteout and opaque
   * marker hide nothing, as fresh is in no lower layer.
   */
  private static LayerEntry[] top() {
    return new LayerEntry[] {
      dir("data"), LayerEntry.emptyFile("data/.wh.b"), LayerEntry.emptyFile("data/.wh.gone"),
      file("data/swap", "new"), file("data/c", "c"),
      dir("data/opq"), LayerEntry.emptyFile("data/opq/.wh..wh..opq"), file("data/opq/new", "n"),
      dir("data/fresh").withMode(0750), file("data/fresh/f", "f")
          .withXattrs(Map.of("user.note", "kept".getBytes(StandardCharsets.UTF_8))),
      LayerEntry.hardlink("data/fresh/hard", "data/fresh/f"),
      LayerEntry.symlink("data/fresh/link", "f").withMtime(T),
      LayerEntry.emptyFile("data/fresh/.wh.ghost"),
      dir("data/fresh/o"), LayerEntry.emptyFile("data/fresh/o/.wh..wh..opq"),
      file("data/fresh/o/x", "x")
    };
  }

  /** The sole layer's directory for {@code path}, asserted to read as the mount shows it. */
  private Optional<Path> soleAndSameAsMount(LayerStack s, String path) throws IOException {
    LowerLayers layers = LowerLayers.of(s.extracted());
    Optional<Path> sole = layers.soleDirectory(path);
    if (sole.isPresent()) {
      Path mounted = path.isEmpty() ? s.mount() : FileNames.resolve(s.mount(), path);
      assertEquals(LayerStack.describe(DirectoryScanner.walkOverlay(mounted, p -> true)),
          LayerStack.describe(layers.walk(sole.get(), p -> true)), path);
    }
    return sole;
  }

  @Test
  void soleDirectory_oneLayer_isThatLayersDirectory_readAsTheMountShowsIt() throws IOException {
    LayerStack s = stack().layer(top());
    Path layer = s.extracted().get(0);

    assertEquals(Optional.of(layer.resolve("data")), soleAndSameAsMount(s, "data"));
    assertEquals(Optional.of(layer), soleAndSameAsMount(s, ""));
    assertEquals(Optional.of(layer.resolve("data/fresh")), soleAndSameAsMount(s, "data/fresh"));
    assertEquals(Optional.empty(), soleAndSameAsMount(s, "data/nothing"));
    assertEquals(Optional.empty(), soleAndSameAsMount(s, "data/c"), "a file, not a directory");
  }

  @Test
  void walk_leavesOutWhiteouts_asTheMountDoes() throws IOException {
    LayerStack s = stack().layer(top());
    List<String> paths = LayerStack.describe(LowerLayers.of(s.extracted())
        .walk(s.extracted().get(0).resolve("data/fresh"), p -> true));
    assertTrue(paths.stream().noneMatch(l -> l.startsWith("ghost ")), paths.toString());
    List<String> raw = LayerStack.describe(
        DirectoryScanner.walk(s.extracted().get(0).resolve("data/fresh"), p -> true));
    assertTrue(raw.stream().anyMatch(l -> l.startsWith("ghost CHAR_DEVICE")), raw.toString());
  }

  /**
   * overlayfs lists a directory that only one layer has as that layer's directory, whiteouts
   * included, and then finds nothing under their names: a walk through the mount leaves them out.
   */
  @Test
  void walkOverlay_throughTheMount_leavesOutTheWhiteoutsItLists() throws IOException {
    Path fresh = stack().layer(base()).layer(top()).mount().resolve("data/fresh");
    try (var listed = java.nio.file.Files.list(fresh)) {
      assertTrue(listed.anyMatch(p -> p.getFileName().toString().equals("ghost")));
    }
    List<String> paths = LayerStack.describe(DirectoryScanner.walkOverlay(fresh, p -> true))
        .stream().map(l -> l.substring(0, l.indexOf(' '))).toList();
    assertEquals(List.of("f", "hard", "link", "o", "o/x"), paths);
  }

  @Test
  void soleDirectory_pathsInBothLayers_areLeftToTheMount() throws IOException {
    LayerStack s = stack().layer(base()).layer(top());

    assertEquals(Optional.empty(), soleAndSameAsMount(s, ""));
    assertEquals(Optional.empty(), soleAndSameAsMount(s, "data"), "deleted, replaced, split");
    assertEquals(Optional.empty(), soleAndSameAsMount(s, "data/opq"), "made opaque above");
    assertEquals(Optional.empty(), soleAndSameAsMount(s, "data/gone"), "deleted above");
  }

  @Test
  void soleDirectory_pathsInOneLayerOfTwo_areThatLayers() throws IOException {
    LayerStack s = stack().layer(base()).layer(top());
    List<Path> layers = s.extracted();

    assertEquals(Optional.of(layers.get(0).resolve("data/keep")),
        soleAndSameAsMount(s, "data/keep"), "below, under a directory both layers have");
    assertEquals(Optional.of(layers.get(1).resolve("data/fresh")),
        soleAndSameAsMount(s, "data/fresh"), "above, its whiteouts hiding nothing");
  }

  @Test
  void soleDirectory_hiddenByAParentAbove_isLeftToTheMount() throws IOException {
    LayerStack opaque = stack().layer(base())
        .layer(dir("data"), LayerEntry.emptyFile("data/.wh..wh..opq"), file("data/z", "z"));
    assertEquals(Optional.empty(), soleAndSameAsMount(opaque, "data/keep"));

    LayerStack file = stack().layer(base()).layer(file("data", "now a file"));
    assertEquals(Optional.empty(), soleAndSameAsMount(file, "data/keep"));

    LayerStack whiteout = stack().layer(base()).layer(LayerEntry.emptyFile(".wh.data"));
    assertEquals(Optional.empty(), soleAndSameAsMount(whiteout, "data/keep"));

    LayerStack link = stack().layer(base()).layer(LayerEntry.symlink("data", "elsewhere"),
        dir("elsewhere"), dir("elsewhere/keep"));
    assertEquals(Optional.empty(), soleAndSameAsMount(link, "data/keep"));
  }

  @Test
  void soleDirectory_overANonDirectoryBelow_isTheLayerAbove() throws IOException {
    LayerStack s = stack().layer(file("data", "a file below")).layer(base());
    List<Path> layers = s.extracted();

    assertEquals(Optional.of(layers.get(1).resolve("data/keep")),
        soleAndSameAsMount(s, "data/keep"));
    assertFalse(soleAndSameAsMount(s, "data").isPresent(), "both layers have an entry there");
  }
}
