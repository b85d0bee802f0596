package dev.lamina.layerfs.tar;

import static dev.lamina.layerfs.tar.TarFixture.charDevice;
import static dev.lamina.layerfs.tar.TarFixture.dirEntry;
import static dev.lamina.layerfs.tar.TarFixture.fileEntry;
import static dev.lamina.layerfs.tar.TarFixture.tar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.Requirements;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An extraction onto an empty root counts what it makes and removes; the count is what a walk of
 * the tree afterwards finds (an extracted layer's completion marker records it without the walk).
 */
class ExtractionTallyTest {
  @TempDir Path root;

  /** Entries made, replaced and removed in every way one layer can. */
  private static TarFixture everyChange() {
    return tar()
        .dir("d")
        .file("d/a", "aaaa")
        .file("d/a", "replaced by a longer file")
        .file("d/sub/deep/f", "implied parents")
        .file("d/sub", "a file over a tree")
        .file("x", "xx")
        .add(dirEntry("x")) // a directory over a file
        .file("x/in", "in")
        .file("target", "12345")
        .hardlink("link", "target")
        .hardlink("link", "target") // the same link again
        .file("link2", "soon a link")
        .hardlink("link2", "target") // a link over a file
        .symlink("sym", "target")
        .file("sym", "a file over a symlink")
        .add(charDevice("dev/null", 1, 3))
        .symlink("dev/null", "/dev/zero")
        .file("gone/a", "a")
        .file("gone/.wh.a", "")
        .file("gone/.wh..wh..opq", "")
        .file("e/.wh.never-was", "");
  }

  @Test
  void flatten_countIsTheWalksCount() throws Exception {
    Requirements.root();
    ApplyResult r = LayerApplier.apply(new ByteArrayInputStream(everyChange().bytes()), root,
        ApplyOptions.defaults(WhiteoutFormat.flatten()));
    assertEquals(TreeTally.of(root), r.tree().orElseThrow());
    assertTrue(r.tree().get().entries() > 10, r.tree().get().toString());
  }

  @Test
  void overlay_whiteoutsCounted_countIsTheWalksCount() throws Exception {
    Requirements.root();
    ApplyResult r = LayerApplier.apply(new ByteArrayInputStream(everyChange()
        .add(fileEntry("more/.wh.hidden", "")).add(fileEntry("more/.wh..wh..opq", "")).bytes()),
        root, ApplyOptions.defaults(WhiteoutFormat.overlay()));
    assertEquals(TreeTally.of(root), r.tree().orElseThrow());
    assertTrue(Files.exists(root.resolve("more/hidden"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void rootNotEmpty_noCount() throws Exception {
    Files.writeString(root.resolve("lower"), "from a layer below");
    ApplyResult r = LayerApplier.apply(new ByteArrayInputStream(tar().file("f", "f").bytes()),
        root, ApplyOptions.defaults(WhiteoutFormat.flatten()));
    assertTrue(r.tree().isEmpty());
  }
}
