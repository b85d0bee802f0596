package dev.lamina.builder.exec;

import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.overlay.MountPoints;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.overlay.TreeDiff;
import dev.lamina.layerfs.overlay.UpperDiff;
import dev.lamina.layerfs.store.Trees;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.runner.spec.EtcFiles;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A state's root filesystem mounted with overlayfs: its layers (each extracted once into the
 * store's {@code layers/}) as read-only lowers and a fresh upper that catches every write. RUN
 * turns the upper into its layer; COPY and {@code --chown} only read through it.
 *
 * <p>Where the kernel refuses the mount (no privilege, or a store on a filesystem overlayfs
 * refuses as upper, such as overlayfs itself; see {@link Workspace#overlayRefusal}), the layers
 * are applied to a plain directory instead, a flattened copy, said once per process on stderr;
 * RUN's layer is then what changed in that copy ({@link TreeDiff}).
 */
final class MountedRootfs implements Closeable {
  private static final AtomicBoolean FLATTEN_NOTED = new AtomicBoolean();

  private final Path root;
  /** The overlay upper; null for a flattened copy. */
  private final Path upper;
  /** The flattened copy as it was before any write; null for overlay mounts and views. */
  private final TreeDiff recorded;
  private boolean mounted;

  private MountedRootfs(Path root, Path upper, TreeDiff recorded) {
    this.root = root;
    this.upper = upper;
    this.recorded = recorded;
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
    Path root = Files.createDirectory(dir.resolve("merged"));
    Optional<IOException> refused = workspace.overlayRefusal(extracted.empty());
    if (refused.isEmpty()) {
      List<Path> lowers = new ArrayList<>();
      for (LayerRef l : layers) {
        lowers.add(extracted.ensure(l.blob(), l.diffId()));
      }
      Collections.reverse(lowers); // overlayfs wants the top-most layer first
      lowers.addAll(bottom);
      if (lowers.isEmpty()) {
        lowers.add(extracted.empty());
      }
      Path upper = Files.createDirectory(dir.resolve("upper"));
      Path work = Files.createDirectory(dir.resolve("work"));
      try {
        OverlayMount.of(lowers, upper, work).mountOn(root);
        return new MountedRootfs(root, upper, null);
      } catch (IOException e) {
        refused = Optional.of(e);
      }
    }
    // The copy is made from the layer blobs, never from extracted layers: a store where overlayfs
    // refuses uppers may refuse the 0:0 character devices of overlay-format whiteouts as well.
    try {
      for (LayerRef l : layers) {
        extracted.applyOnto(l.blob(), l.diffId(), root);
      }
    } catch (IOException e) {
      refused.get().addSuppressed(e);
      throw refused.get();
    }
    noteFlattened(refused.get());
    if (record) {
      EtcFiles.addMountPoints(root);
    }
    return new MountedRootfs(root, null, record ? TreeDiff.record(root) : null);
  }

  private static void noteFlattened(IOException overlayRefused) {
    if (FLATTEN_NOTED.compareAndSet(false, true)) {
      System.err.println(
          "lamina: overlayfs cannot be used here ("
              + firstLine(overlayRefused.getMessage())
              + "); building on a flattened copy of the layers");
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unknown error";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** The root filesystem. */
  Path root() {
    return root;
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
      return UpperDiff.trusted().entries(upper, MountPoints.createdIn(upper, createdTargets));
    }
    if (recorded == null) {
      throw new IllegalStateException("a flattened root filesystem to read has no changes");
    }
    return recorded.entries(MountPoints.createdIn(root, createdTargets));
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
