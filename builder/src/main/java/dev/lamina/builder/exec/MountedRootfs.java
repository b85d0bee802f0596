package dev.lamina.builder.exec;

import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.overlay.LowerLayers;
import dev.lamina.layerfs.overlay.MountPoints;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.overlay.TreeDiff;
import dev.lamina.layerfs.overlay.UpperDiff;
import dev.lamina.layerfs.store.Trees;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.LayerWriter;
import dev.lamina.runner.RootfsAssembly;
import dev.lamina.runner.spec.EtcFiles;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A state's root filesystem mounted with overlayfs: its layers (each extracted once into the
 * store's {@code layers/}) as read-only lowers and a fresh upper that catches every write. RUN
 * turns the upper into its layer; COPY and {@code --chown} only read through it.
 *
 * <p>Where the kernel refuses the mount (no privilege, or a store on a filesystem overlayfs
 * refuses as upper, such as overlayfs itself; see {@link Workspace#overlayRefusal}), the layers
 * are applied to a plain directory instead, a flattened copy (an event of {@link RootfsAssembly});
 * RUN's layer is then what changed in that copy ({@link TreeDiff}). The choice is {@link
 * RootfsAssembly}'s, as for containers.
 */
final class MountedRootfs implements Closeable {
  private final Path root;
  /** The overlay upper; null for a flattened copy. */
  private final Path upper;
  /** The flattened copy as it was before any write; null for overlay mounts and views. */
  private final TreeDiff recorded;
  /** The overlay mount's lower layers; null for a flattened copy. */
  private final LowerLayers lowers;
  private boolean mounted;
  /** The upper-relative paths {@link #changes} left out; null before it ran. */
  private Set<String> leftOut;

  private MountedRootfs(Path root, Path upper, TreeDiff recorded, LowerLayers lowers) {
    this.root = root;
    this.upper = upper;
    this.recorded = recorded;
    this.lowers = lowers;
    this.mounted = upper != null;
  }

  /**
   * The layers of {@code layers} in a new directory of {@code workspace}, to read from.
   *
   * @throws IOException if a layer cannot be extracted or neither overlayfs nor a copy works
   */
  static MountedRootfs mount(ExtractedLayers extracted, List<LayerRef> layers, Workspace workspace)
      throws IOException {
    return mount(extracted, layers, workspace, false, List.of());
  }

  /**
   * The layers of {@code layers} in a new directory of {@code workspace}, to run a container on,
   * and to take the {@link #changes} of. The container's own {@code /etc} files have mount points
   * below the layers (or, in a flattened copy, made before it is recorded), so that the runtime
   * adds nothing for them to the changes.
   *
   * @throws IOException as {@link #mount(ExtractedLayers, List, Workspace)}
   */
  static MountedRootfs mountForChanges(
      ExtractedLayers extracted, List<LayerRef> layers, Workspace workspace) throws IOException {
    List<Path> stubs = List.of(workspace.etcMountPoints());
    MountedRootfs mounted = mount(extracted, layers, workspace, true, stubs);
    if (mounted.upper == null) {
      return mounted; // the copy's mount points were made where its links lead
    }
    List<String> missing;
    try {
      missing = EtcFiles.missingMountPoints(mounted.root);
    } catch (IOException | RuntimeException e) {
      mounted.close();
      throw e;
    }
    if (missing.isEmpty()) {
      return mounted;
    }
    // The image links one of the files elsewhere (/etc/resolv.conf to a file under /run, say),
    // where the runtime would make its mount point: mount again with one there, below the layers.
    mounted.close();
    Path links = EtcFiles.mountPointLayer(workspace.newDir("etc-links"), missing);
    return mount(extracted, layers, workspace, true, List.of(links, stubs.get(0)));
  }

  /**
   * Mounts {@code layers}, with {@code bottom} (top-most first) as extra lowers below them.
   */
  private static MountedRootfs mount(ExtractedLayers extracted, List<LayerRef> layers,
      Workspace workspace, boolean record, List<Path> bottom) throws IOException {
    Path dir = workspace.newDir("rootfs");
    StateLayers state = new StateLayers(extracted, layers, bottom, workspace);
    // A state's upper lives as long as its step: RUN's layer is read from it before it goes.
    RootfsAssembly.Kind kind = RootfsAssembly.mount(dir, state, RootfsAssembly.Upper.DISPOSABLE);
    Path root = RootfsAssembly.rootfs(dir);
    if (kind == RootfsAssembly.Kind.OVERLAY) {
      List<Path> bottomFirst;
      try {
        bottomFirst = state.lowersTopFirst(); // extracted by now: nothing is done twice
      } catch (IOException | RuntimeException e) {
        OverlayMount.unmount(root);
        throw e;
      }
      Collections.reverse(bottomFirst);
      return new MountedRootfs(root, dir.resolve("upper"), null, LowerLayers.of(bottomFirst));
    }
    if (record) {
      EtcFiles.addMountPoints(root);
    }
    return new MountedRootfs(root, null, record ? TreeDiff.record(root) : null, null);
  }

  /**
   * A build state's layers: extracted into the store as lowers, above {@code bottom}; or applied
   * from their blobs to a flattened copy.
   */
  private record StateLayers(
      ExtractedLayers extracted, List<LayerRef> layers, List<Path> bottom, Workspace workspace)
      implements RootfsAssembly.Layers {
    @Override
    public Optional<IOException> overlayRefusal() throws IOException {
      return workspace.overlayRefusal(extracted.empty());
    }

    @Override
    public List<Path> lowersTopFirst() throws IOException {
      List<Path> lowers = new ArrayList<>();
      for (LayerRef l : layers) {
        lowers.add(extracted.ensure(l.blob(), l.diffId()));
      }
      Collections.reverse(lowers); // overlayfs wants the top-most layer first
      lowers.addAll(bottom);
      if (lowers.isEmpty()) {
        lowers.add(extracted.empty());
      }
      return lowers;
    }

    /**
     * The copy is made from the layer blobs, never from extracted layers: a store where overlayfs
     * refuses uppers may refuse the 0:0 character devices of overlay-format whiteouts as well.
     */
    @Override
    public void copyInto(Path rootfs) throws IOException {
      for (LayerRef l : layers) {
        extracted.applyOnto(l.blob(), l.diffId(), rootfs);
      }
    }
  }

  /** The root filesystem. */
  Path root() {
    return root;
  }

  /** The lower layers of an overlay mount; null for a flattened copy. */
  LowerLayers lowers() {
    return lowers;
  }

  /**
   * Unmounts, then gives the layer entries of what was written since the mount, leaving out the
   * mount points an OCI runtime made for {@code createdTargets} (mount destinations, such as
   * {@code /etc/hosts}, that did not exist before it ran).
   *
   * @throws IOException if the changes cannot be read or OCI layers cannot express them
   * @throws IllegalStateException if this root filesystem was mounted only to be read
   */
  List<LayerEntry> changes(Collection<String> createdTargets) throws IOException {
    unmount();
    if (upper != null) {
      leftOut = MountPoints.createdIn(upper, createdTargets);
      return RootfsAssembly.upperDiff(upper.getParent()).entries(upper, leftOut);
    }
    if (recorded == null) {
      throw new IllegalStateException("a flattened root filesystem to read has no changes");
    }
    return recorded.entries(MountPoints.createdIn(root, createdTargets));
  }

  /**
   * Hands the upper, whose {@link #changes} were just written as {@code layer} by {@code writer},
   * to {@code extracted} as that layer's extracted directory (see {@link ExtractedLayers#adopt}),
   * so a later step that stacks the layer does not extract it again. Does nothing for a
   * flattened copy or when the upper cannot be adopted; the layer is then extracted from its blob
   * when first needed, so a failure here costs time, never the build (the blob is committed).
   */
  void keepAsLayer(ExtractedLayers extracted, LayerRef layer, LayerWriter writer,
      List<LayerEntry> entries) {
    if (upper != null && leftOut != null) {
      try {
        extracted.adopt(layer.diffId(), upper, writer.plan(entries), leftOut);
      } catch (IOException e) {
        // left to extraction; what is left of the upper goes with the workspace
      }
    }
  }

  /**
   * Unmounts an overlay mount; the upper or the copy stays until the workspace is removed.
   * Idempotent.
   */
  void unmount() throws IOException {
    if (mounted) {
      mounted = false;
      OverlayMount.unmount(root);
    }
  }

  /**
   * Unmounts an overlay mount, or removes a flattened copy: a full copy per step would add up
   * until the end of the build. Entries taken from {@link #changes} must be written before.
   */
  @Override
  public void close() throws IOException {
    unmount();
    if (upper == null) {
      Trees.deleteRecursively(root);
    }
  }
}
