package dev.lamina.builder.exec;

import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.overlay.OverlayMount;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A state's root filesystem mounted with overlayfs: its layers (each extracted once into the
 * store's {@code layers/}) as read-only lowers and a fresh upper that catches every write. RUN
 * turns the upper into its layer; COPY and {@code --chown} only read through it.
 */
final class MountedRootfs implements AutoCloseable {
  private final Path root;
  private final Path upper;
  private boolean mounted;

  private MountedRootfs(Path root, Path upper) {
    this.root = root;
    this.upper = upper;
  }

  /**
   * Mounts the layers of {@code layers} in a new directory of {@code workspace}.
   *
   * @throws IOException if a layer cannot be extracted or the kernel refuses the mount
   */
  static MountedRootfs mount(ExtractedLayers extracted, List<LayerRef> layers, Workspace workspace)
      throws IOException {
    List<Path> lowers = new ArrayList<>();
    for (LayerRef l : layers) {
      lowers.add(extracted.ensure(l.blob(), l.diffId()));
    }
    if (lowers.isEmpty()) {
      lowers.add(extracted.empty());
    }
    Collections.reverse(lowers); // overlayfs wants the top-most layer first
    Path dir = workspace.newDir("rootfs");
    Path upper = Files.createDirectory(dir.resolve("upper"));
    Path work = Files.createDirectory(dir.resolve("work"));
    Path root = Files.createDirectory(dir.resolve("merged"));
    MountedRootfs m = new MountedRootfs(root, upper);
    OverlayMount.of(lowers, upper, work).mountOn(root);
    m.mounted = true;
    return m;
  }

  /** The merged root filesystem. */
  Path root() {
    return root;
  }

  /** The upper directory: what was written since the mount. */
  Path upper() {
    return upper;
  }

  /** Unmounts; the upper stays until the workspace is removed. Idempotent. */
  void unmount() throws IOException {
    if (mounted) {
      mounted = false;
      OverlayMount.unmount(root);
    }
  }

  @Override
  public void close() throws IOException {
    unmount();
  }
}
