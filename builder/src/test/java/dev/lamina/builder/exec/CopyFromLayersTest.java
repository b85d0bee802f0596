package dev.lamina.builder.exec;

import static dev.lamina.layerfs.testing.LayerStack.file;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.tar.DirectoryScanner;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.testing.LayerStack;
import dev.lamina.layerfs.testing.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code COPY --from} an image whose layers delete, replace and add files, and hold a directory
 * that one layer alone has (read from that layer): what is copied is what a mount of the layers
 * shows.
 */
class CopyFromLayersTest {
  @TempDir Path tmp;

  @AfterEach
  void tearDown() throws Exception {
    OverlayMount.unmountAllUnder(tmp);
  }

  @Test
  void copyFrom_layersWithWhiteouts_copiesWhatTheMountShows() throws Exception {
    Requirements.root();
    Store store = Store.open(tmp.resolve("store"));
    LayerStack src = LayerStack.in(store, tmp.resolve("mounts"))
        .layer(LayerEntry.directory("data"), file("data/a", "a"), file("data/b", "b"),
            file("data/swap", "old"), LayerEntry.directory("data/gone"), file("data/gone/g", "g"))
        .layer(LayerEntry.directory("data"), LayerEntry.emptyFile("data/.wh.b"),
            LayerEntry.emptyFile("data/.wh.gone"), file("data/swap", "new"),
            LayerEntry.directory("data/fresh"), file("data/fresh/f", "f"),
            LayerEntry.emptyFile("data/fresh/.wh.ghost"));
    ImageConfig config = ImageConfig.empty("2020-01-01T00:00:00Z");
    for (var diffId : src.diffIds()) {
      config = config.withLayer(diffId, new ImageConfig.History(null, "test", null, null, null));
    }
    store.images().write(config, src.blobs(), "src");
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));

    Builder.build(store, BuildOptions.builder(ctx).tag("test").recipeText(
            "FROM scratch\nCOPY --from=src /data /copied\nCOPY --from=src /data/fresh /fresh\n")
        .build(), Progress.quiet());

    ImageDetails built = store.images().inspect("test");
    LayerStack copied = LayerStack.in(store, tmp.resolve("copied"));
    for (int i = 0; i < built.manifest().layers().size(); i++) {
      copied.layer(built.manifest().layers().get(i), built.config().diffIds().get(i));
    }
    Path root = copied.mount();
    assertEquals(names(src.mount().resolve("data")), names(root.resolve("copied")));
    assertEquals(List.of("a", "fresh", "fresh/f", "swap"), names(root.resolve("copied")));
    assertEquals(List.of("f"), names(root.resolve("fresh")));
    assertEquals("new", Files.readString(root.resolve("copied/swap")));
  }

  private static List<String> names(Path dir) throws Exception {
    return LayerStack.describe(DirectoryScanner.walkOverlay(dir, p -> true)).stream()
        .map(l -> l.substring(0, l.indexOf(' '))).toList();
  }
}
