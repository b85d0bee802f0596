package dev.lamina.layerfs.layers;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestAlgorithm;
import dev.lamina.layerfs.digest.DigestMismatchException;
import dev.lamina.layerfs.digest.DigestingInputStream;
import dev.lamina.layerfs.digest.VerifyingInputStream;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Manifest;
import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.store.FileLocks;
import dev.lamina.layerfs.store.OciContent;
import dev.lamina.layerfs.store.PruneHook;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.store.StoreUsage;
import dev.lamina.layerfs.store.Trees;
import dev.lamina.layerfs.tar.ApplyOptions;
import dev.lamina.layerfs.tar.LayerApplier;
import dev.lamina.layerfs.tar.WhiteoutFormat;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The store's extracted layers: each layer unpacked once, in overlay format (whiteouts as 0:0
 * character devices, opaque directories marked with {@code trusted.overlay.opaque}), under {@code
 * $LAMINA_ROOT/layers/<hex of the diff_id>}, and shared read-only by every container and build
 * that stacks it as an overlay lower.
 *
 * <p>A layer directory appears only by an atomic rename of a fully extracted and verified
 * directory, so its existence means it is complete. Extraction of one layer is serialised across
 * processes by a lock file; a crashed extraction leaves only a {@code .tmp-} directory that the
 * next extraction of that layer (holding the lock) removes.
 */
public final class ExtractedLayers {
  private static final String TMP_PREFIX = ".tmp-";
  private static final String EMPTY = ".empty";

  private final Store store;
  private final Path dir;

  private ExtractedLayers(Store store) {
    this.store = store;
    this.dir = store.layersDir();
  }

  /** The extracted layers of {@code store}. */
  public static ExtractedLayers of(Store store) {
    return new ExtractedLayers(store);
  }

  /**
   * The directory of the layer with {@code diffId} (it may not exist yet). sha256 diff_ids use the
   * bare hex, which keeps overlay lower paths short and free of the {@code :} that separates them.
   */
  public Path pathOf(Digest diffId) {
    String name =
        diffId.algorithm() == DigestAlgorithm.SHA256
            ? diffId.hex()
            : diffId.algorithm().id() + "-" + diffId.hex();
    return dir.resolve(name);
  }

  /**
   * An empty read-only directory, the lower of an image without layers (overlayfs needs at least
   * one lower).
   *
   * @throws IOException if it cannot be created
   */
  public Path empty() throws IOException {
    Path p = dir.resolve(EMPTY);
    Files.createDirectories(p);
    return p;
  }

  /** Whether the layer with {@code diffId} is already extracted. */
  public boolean isExtracted(Digest diffId) {
    return Files.isDirectory(pathOf(diffId), LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * The directories of an image's layers, bottom first, extracting those not yet extracted.
   *
   * @throws IOException if the manifest and config disagree, a blob is missing or damaged, or a
   *     layer is not a valid layer
   */
  public List<Path> ensureAll(Manifest manifest, ImageConfig config) throws IOException {
    List<Descriptor> layers = manifest.layers();
    List<Digest> diffIds = config.diffIds();
    if (layers.size() != diffIds.size()) {
      throw new IOException(
          "image has "
              + layers.size()
              + " layers but its config lists "
              + diffIds.size()
              + " diff_ids");
    }
    List<Path> out = new ArrayList<>(layers.size());
    for (int i = 0; i < layers.size(); i++) {
      out.add(ensure(layers.get(i), diffIds.get(i)));
    }
    return out;
  }

  /**
   * The directory of one layer, extracting the blob {@code layer} if needed. The blob is verified
   * against its digest and size, and its uncompressed content against {@code diffId}; a mismatch
   * leaves nothing behind.
   *
   * @throws DigestMismatchException if the blob or its content does not match
   * @throws IOException if the blob is missing, its compression unknown, or it is not a valid layer
   */
  public Path ensure(Descriptor layer, Digest diffId) throws IOException {
    Path target = pathOf(diffId);
    if (isExtracted(diffId)) {
      return target;
    }
    Files.createDirectories(dir);
    FileLocks lock = FileLocks.of(store.locksDir().resolve("layer-" + target.getFileName()));
    try (FileLocks.Held held = lock.exclusive()) {
      if (isExtracted(diffId)) {
        return target; // another process finished it while we waited
      }
      Path tmp = dir.resolve(TMP_PREFIX + target.getFileName());
      Trees.deleteRecursively(tmp); // left by a crashed extraction; we hold the lock
      Files.createDirectory(tmp);
      try {
        extract(layer, diffId, tmp);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException | RuntimeException e) {
        Trees.deleteRecursively(tmp);
        throw e;
      }
    }
    return target;
  }

  /**
   * Applies the blob {@code layer} onto {@code root}, a plain directory that holds its lower
   * layers (whiteouts remove what they hide there), verified as {@link #ensure} verifies it; the
   * store's extracted layers are neither read nor written. For a flattened root filesystem where
   * overlay-format layers cannot be made, such as a store on overlayfs, which refuses 0:0
   * character devices.
   *
   * @throws DigestMismatchException if the blob or its content does not match
   * @throws IOException if the blob is missing, its compression unknown, or it is not a valid layer
   */
  public void applyOnto(Descriptor layer, Digest diffId, Path root) throws IOException {
    extract(layer, diffId, root, ApplyOptions.defaults(WhiteoutFormat.flatten()));
  }

  private void extract(Descriptor layer, Digest diffId, Path into) throws IOException {
    extract(layer, diffId, into, ApplyOptions.defaults(WhiteoutFormat.overlay()));
  }

  private void extract(Descriptor layer, Digest diffId, Path into, ApplyOptions options)
      throws IOException {
    Compression compression =
        Compression.fromMediaType(layer.mediaType())
            .orElseThrow(
                () ->
                    new IOException(
                        "layer " + layer.digest() + " has unsupported media type " + layer.mediaType()));
    try (VerifyingInputStream blob = store.blobs().open(layer.digest(), layer.size());
        InputStream buffered = new BufferedInputStream(blob, 1 << 16)) {
      if (compression == Compression.NONE && layer.digest().equals(diffId)) {
        // The blob is the tar and its digest the diff_id: verifying the blob checks both, so the
        // bytes are hashed once.
        LayerApplier.apply(buffered, into, options);
        blob.drainAndDigest(); // bytes after the tar's end blocks are verified too
        return;
      }
      try (DigestingInputStream tar =
          new DigestingInputStream(compression.decompress(buffered), diffId.algorithm())) {
        LayerApplier.apply(tar, into, options);
        Digest actual = tar.drainAndDigest();
        blob.drainAndDigest(); // a decompressor may stop before the blob's last byte
        if (!actual.equals(diffId)) {
          throw new DigestMismatchException(
              "layer " + layer.digest() + " unpacks to " + actual + ", config says " + diffId);
        }
      }
    }
  }

  /**
   * A prune hook that removes extracted layers no image of the store and no user in {@code
   * users} needs (and stale temporary directories).
   */
  public PruneHook pruneHook(LayerUsers users) {
    return s -> prune(users);
  }

  private long prune(LayerUsers users) throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    Set<Path> keep = new HashSet<>();
    for (Digest d : diffIdsOfImages()) {
      keep.add(pathOf(d));
    }
    for (Path p : users.layersInUse()) {
      keep.add(p.toAbsolutePath().normalize());
    }
    long freed = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        if (keep.contains(p.toAbsolutePath().normalize())) {
          continue;
        }
        String name = p.getFileName().toString();
        if (name.equals(EMPTY)) {
          continue;
        }
        String lockName = "layer-" + (name.startsWith(TMP_PREFIX) ? name.substring(5) : name);
        FileLocks.Held held = FileLocks.of(store.locksDir().resolve(lockName)).tryExclusive();
        if (held == null) {
          continue; // being extracted right now
        }
        try (held) {
          freed += StoreUsage.du(p);
          Trees.deleteRecursively(p);
        }
      }
    }
    return freed;
  }

  /** The diff_ids of every named image (every platform of an index); damaged images add none. */
  private Set<Digest> diffIdsOfImages() throws IOException {
    Set<Digest> out = new HashSet<>();
    List<Descriptor> pending = new ArrayList<>(store.layout().index().manifests());
    while (!pending.isEmpty()) {
      Descriptor d = pending.remove(pending.size() - 1);
      try {
        if (MediaType.isIndex(d.mediaType())) {
          pending.addAll(OciContent.index(store.blobs(), d).manifests());
        } else if (MediaType.isManifest(d.mediaType())) {
          Manifest m = OciContent.manifest(store.blobs(), d);
          out.addAll(OciContent.config(store.blobs(), m).diffIds());
        }
      } catch (IOException e) {
        // a damaged image keeps nothing alive; system check reports it
      }
    }
    return out;
  }

  /** Tells prune which extracted layer directories are in use outside images (by containers). */
  @FunctionalInterface
  public interface LayerUsers {
    LayerUsers NONE = List::of;

    /** Layer directories in use. */
    List<Path> layersInUse() throws IOException;
  }
}
