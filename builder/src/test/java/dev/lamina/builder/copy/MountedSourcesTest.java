package dev.lamina.builder.copy;

import static dev.lamina.layerfs.testing.LayerStack.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestingOutputStream;
import dev.lamina.layerfs.overlay.LowerLayers;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.LayerWriter;
import dev.lamina.layerfs.testing.LayerStack;
import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code COPY --from} sources in an overlay mount of a stage's layers: a directory that one layer
 * alone holds is read from that layer's directory, and every source gives the layer that reading
 * it through the mount gives, byte for byte.
 */
class MountedSourcesTest {
  private static final Instant T = Instant.parse("2021-03-04T05:06:07Z");

  @TempDir Path tmp;
  private LayerStack stack;
  private Path mount;
  private LowerLayers layers;
  private int writes;

  @BeforeEach
  void setUp() throws IOException {
    Requirements.root(); // overlay-format whiteouts are character devices; mounts need root
    Store store = Store.open(tmp.resolve("store"));
    stack = LayerStack.in(store, tmp.resolve("mounts"))
        .layer(dir("data"), file("data/a", "a"), file("data/b", "b"), file("data/swap", "old"),
            dir("data/keep"), file("data/keep/k", "k").withOwner(1000, 1000).withMode(0600),
            dir("data/gone"), file("data/gone/g", "g"), dir("data/opq"),
            file("data/opq/old", "o"))
        // deletes b and gone, replaces swap, makes opq opaque, adds c next to a, and fresh/,
        // whose whiteout and opaque marker hide nothing (nothing below has fresh)
        .layer(dir("data"), LayerEntry.emptyFile("data/.wh.b"),
            LayerEntry.emptyFile("data/.wh.gone"), file("data/swap", "new"), file("data/c", "c"),
            dir("data/opq"), LayerEntry.emptyFile("data/opq/.wh..wh..opq"),
            file("data/opq/new", "n"), dir("data/fresh").withMode(0750),
            file("data/fresh/f", "f")
                .withXattrs(Map.of("user.note", "kept".getBytes(StandardCharsets.UTF_8))),
            LayerEntry.hardlink("data/fresh/hard", "data/fresh/f"),
            LayerEntry.symlink("data/fresh/link", "f").withMtime(T),
            LayerEntry.emptyFile("data/fresh/.wh.ghost"),
            dir("data/fresh/o"), LayerEntry.emptyFile("data/fresh/o/.wh..wh..opq"),
            file("data/fresh/o/x", "x"));
    mount = stack.mount();
    layers = LowerLayers.of(stack.extracted());
  }

  @AfterEach
  void tearDown() throws IOException {
    if (stack != null) {
      stack.close();
    }
  }

  private static LayerEntry dir(String path) {
    return LayerEntry.directory(path).withMtime(T);
  }

  private SourceSet collect(SourceTree tree, String... sources) throws IOException {
    return SourceSet.collect(tree, List.of(sources), Map.of(),
        new SourceSet.Options(List.of(), false, false, null, T));
  }

  /** The digest of the layer a COPY of {@code sources} to /copied writes. */
  private Digest layer(SourceSet sources) throws IOException {
    Path scratch = Files.createDirectories(tmp.resolve("scratch-" + ++writes));
    Iterable<LayerEntry> entries = Placement.place(sources, "/copied/", RootView.empty(),
        new Placement.Options(null, null, scratch, T));
    try (DigestingOutputStream out = new DigestingOutputStream(OutputStream.nullOutputStream())) {
      LayerWriter.preservingMtimes().writeSorted(entries, out);
      return out.digest();
    }
  }

  /**
   * Asserts that the sources give the layer they give read through the mount (a mount whose
   * layers are not known); returns where the first source was read.
   */
  private Path sameLayerBothWays(String... sources) throws IOException {
    SourceSet direct = collect(SourceTree.mounted(mount, layers), sources);
    SourceTree throughMount = SourceTree.mounted(mount, LowerLayers.of(List.of()));
    assertEquals(layer(collect(throughMount, sources)), layer(direct), String.join(" ", sources));
    return direct.items().get(0).host();
  }

  @Test
  void directoryOfOneLayer_isReadFromThatLayer_asTheMountShowsIt() throws IOException {
    assertEquals(stack.extracted().get(1).resolve("data/fresh"), sameLayerBothWays("data/fresh"));
    assertEquals(stack.extracted().get(0).resolve("data/keep"), sameLayerBothWays("data/keep"));
    assertEquals(stack.extracted().get(1).resolve("data/fresh/o"),
        sameLayerBothWays("data/fresh/o"));
  }

  @Test
  void deletedReplacedOpaqueAndSplit_areReadThroughTheMount() throws IOException {
    assertEquals(mount.resolve("data"), sameLayerBothWays("data"));
    assertEquals(mount.resolve("data/opq"), sameLayerBothWays("data/opq"));
    assertEquals(mount, sameLayerBothWays("/"));
    assertEquals(mount.resolve("data/swap"), sameLayerBothWays("data/swap"));
  }

  @Test
  void wildcards_skipWhiteoutsTheMountLists() throws IOException {
    Path read = sameLayerBothWays("data/fresh/*");
    assertTrue(read.startsWith(mount), read.toString());
    SourceSet sources = collect(SourceTree.mounted(mount, layers), "data/fresh/*");
    assertEquals(List.of("f", "hard", "link", "o"),
        sources.items().stream().map(SourceSet.Item::name).toList());
  }
}
