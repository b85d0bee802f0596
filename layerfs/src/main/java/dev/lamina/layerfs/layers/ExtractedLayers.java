package dev.lamina.layerfs.layers;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestAlgorithm;
import dev.lamina.layerfs.digest.DigestMismatchException;
import dev.lamina.layerfs.digest.DigestingInputStream;
import dev.lamina.layerfs.digest.VerifyingInputStream;
import dev.lamina.layerfs.io.ReadAheadInputStream;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Manifest;
import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.store.CheckedPart;
import dev.lamina.layerfs.store.FileLocks;
import dev.lamina.layerfs.store.OciContent;
import dev.lamina.layerfs.store.PruneHook;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.store.StoreCheck;
import dev.lamina.layerfs.store.StoreUsage;
import dev.lamina.layerfs.store.Trees;
import dev.lamina.layerfs.tar.ApplyOptions;
import dev.lamina.layerfs.tar.ApplyResult;
import dev.lamina.layerfs.tar.DirectoryScanner;
import dev.lamina.layerfs.tar.EntryType;
import dev.lamina.layerfs.tar.LayerApplier;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.LayerWriter;
import dev.lamina.layerfs.tar.TreeTally;
import dev.lamina.layerfs.tar.WhiteoutFormat;
import dev.lamina.layerfs.tar.Whiteouts;
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
 * directory, so its existence means it is complete; it leaves its name the same way, renamed
 * aside into the store's {@code tmp/} before it is deleted ({@link Store#setAside}), so a removal
 * that is killed half-way never leaves a partial layer under its name. Extraction of one layer is
 * serialised across processes by a lock file; a crashed extraction leaves only a {@code .tmp-}
 * directory that the next extraction of that layer (holding the lock) or prune removes.
 *
 * <p>Each extraction also leaves a completion marker ({@link CompletionMarkers}) that {@code
 * system check} verifies the tree against. A layer without one was extracted before markers
 * existed: it is still used as it is (re-extracting it could pull it from under a running
 * container), but check reports it as unverified and a repair removes it when no container uses
 * it, so its next use extracts it again.
 */
public final class ExtractedLayers {
  private static final String TMP_PREFIX = ".tmp-";
  private static final String EMPTY = ".empty";
  /** A layer is read ahead of its extraction by up to 4 MiB. */
  private static final int READ_AHEAD_CHUNK = 256 * 1024;
  private static final int READ_AHEAD_CHUNKS = 16;

  private final Store store;
  private final Path dir;
  private final CompletionMarkers markers;

  private ExtractedLayers(Store store) {
    this.store = store;
    this.dir = store.layersDir();
    this.markers = new CompletionMarkers(dir);
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
    FileLocks lock = lockOf(target.getFileName().toString());
    try (FileLocks.Held held = lock.exclusive()) {
      if (isExtracted(diffId)) {
        return target; // another process finished it while we waited
      }
      Path tmp = dir.resolve(TMP_PREFIX + target.getFileName());
      Trees.deleteRecursively(tmp); // left by a crashed extraction; we hold the lock
      Files.createDirectory(tmp);
      try {
        ApplyResult applied = extract(layer, diffId, tmp);
        // The marker first: a crash before the rename leaves a marker without a layer, which the
        // next extraction overwrites; never a named layer without its marker.
        markers.write(target.getFileName().toString(),
            applied.tree().isPresent() ? applied.tree().get() : TreeTally.of(tmp));
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException | RuntimeException e) {
        Trees.deleteRecursively(tmp);
        throw e;
      }
    }
    return target;
  }

  /**
   * Makes {@code upper}, the overlay upper directory a layer was just written from, the extracted
   * layer {@code diffId}, instead of extracting the layer's blob again: the same files, made
   * exactly as an extraction of the blob would leave them. A RUN step that writes thousands of
   * files would otherwise create every one of them twice (once by the command, once by the
   * extraction) and delete the upper's copies at the end of the build.
   *
   * <p>{@code entries} are the layer's entries as its writer planned them ({@link
   * LayerWriter#plan}); {@code leftOut} the upper-relative paths the layer leaves out (see {@link
   * dev.lamina.layerfs.overlay.MountPoints#createdIn}), which are removed. Each entry then loses
   * the xattrs no layer carries (overlayfs's private ones) and gets the time its tar header holds,
   * directories last, as extraction sets them. An upper that is more than its entries (a socket,
   * which layers leave out) or holds whiteouts or opaque directories is not adopted: extraction
   * of the blob stays the one way those are made.
   *
   * <p>Only the caller that wrote the layer from {@code upper} may call this, after the blob is
   * committed, with nothing mounted on or writing to {@code upper}. On success the upper is gone
   * (renamed); otherwise it may have been changed and must be discarded.
   *
   * @return whether the upper became the layer (false if it could not, or the layer already was
   *     extracted)
   * @throws IOException if the upper cannot be read or changed
   */
  public boolean adopt(Digest diffId, Path upper, List<LayerEntry> entries, Set<String> leftOut)
      throws IOException {
    if (isExtracted(diffId)) {
      return false;
    }
    for (LayerEntry e : entries) {
      String name = e.path().substring(e.path().lastIndexOf('/') + 1);
      if (name.startsWith(Whiteouts.PREFIX)) {
        return false;
      }
    }
    List<String> gone = new ArrayList<>(leftOut);
    gone.sort(LayerEntry.PATH_ORDER.reversed()); // children before their parents
    for (String path : gone) {
      Files.deleteIfExists(FileNames.resolve(upper, path));
    }
    TreeTally tally = TreeTally.of(upper);
    if (tally.entries() != entries.size()) {
      return false;
    }
    stripLeftOutXattrs(upper); // the root: overlayfs may have marked it too
    List<LayerEntry> dirs = new ArrayList<>();
    for (LayerEntry e : entries) {
      Path file = FileNames.resolve(upper, e.path());
      stripLeftOutXattrs(file);
      if (e.type() == EntryType.DIRECTORY) {
        dirs.add(e);
      } else {
        Posix.lutimes(file, LayerWriter.headerTime(e), 0);
      }
    }
    // A directory's time last, children first: setting a child's time does not change it, but
    // removing a left-out mount point did.
    for (int i = dirs.size() - 1; i >= 0; i--) {
      LayerEntry d = dirs.get(i);
      Posix.lutimes(FileNames.resolve(upper, d.path()), LayerWriter.headerTime(d), 0);
    }
    Path target = pathOf(diffId);
    Files.createDirectories(dir);
    try (FileLocks.Held held = lockOf(target.getFileName().toString()).exclusive()) {
      if (isExtracted(diffId)) {
        return false;
      }
      // The tally taken above: what follows removes no entry and changes no file's size.
      markers.write(target.getFileName().toString(), tally);
      try {
        Files.move(upper, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (java.nio.file.AtomicMoveNotSupportedException e) {
        return false; // on another filesystem than the store: extraction makes it when needed
      }
    }
    return true;
  }

  private static void stripLeftOutXattrs(Path file) throws IOException {
    for (String xattr : Posix.llistxattr(file)) {
      if (DirectoryScanner.isLeftOut(xattr)) {
        Posix.lremovexattr(file, xattr);
      }
    }
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

  /**
   * Applies the tar {@code in} with its reading (the blob's, its verification, its
   * decompression) done on a thread of its own, beside the files being created; {@code in} is
   * read to its end, and no longer in use once this returns.
   */
  private static ApplyResult applyReadAhead(InputStream in, Path into, ApplyOptions options)
      throws IOException {
    try (ReadAheadInputStream ahead =
        ReadAheadInputStream.start(in, READ_AHEAD_CHUNK, READ_AHEAD_CHUNKS, "layer-read-ahead")) {
      return LayerApplier.apply(ahead, into, options); // reads to the stream's real end
    }
  }

  private ApplyResult extract(Descriptor layer, Digest diffId, Path into) throws IOException {
    return extract(layer, diffId, into, ApplyOptions.defaults(WhiteoutFormat.overlayHere()));
  }

  private ApplyResult extract(Descriptor layer, Digest diffId, Path into, ApplyOptions options)
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
        ApplyResult applied = applyReadAhead(buffered, into, options);
        blob.drainAndDigest(); // bytes after the tar's end blocks are verified too
        return applied;
      }
      try (DigestingInputStream tar =
          new DigestingInputStream(compression.decompress(buffered), diffId.algorithm())) {
        ApplyResult applied = applyReadAhead(tar, into, options);
        Digest actual = tar.drainAndDigest();
        blob.drainAndDigest(); // a decompressor may stop before the blob's last byte
        if (!actual.equals(diffId)) {
          throw new DigestMismatchException(
              "layer " + layer.digest() + " unpacks to " + actual + ", config says " + diffId);
        }
        return applied;
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
    for (Path p : layerEntries()) {
      if (keep.contains(p.toAbsolutePath().normalize())) {
        continue;
      }
      freed += remove(p);
    }
    removeOrphanMarkers();
    return freed;
  }

  /**
   * Removes one entry of {@code layers/} (a layer or a {@code .tmp-} leftover) unless its
   * extraction is under way: renamed aside first, then its marker, then the tree.
   *
   * @return bytes freed (0 if it was left)
   */
  private long remove(Path p) throws IOException {
    String name = p.getFileName().toString();
    String layerName = name.startsWith(TMP_PREFIX) ? name.substring(TMP_PREFIX.length()) : name;
    FileLocks.Held held = lockOf(layerName).tryExclusive();
    if (held == null) {
      return 0; // being extracted right now
    }
    try (held) {
      long size = StoreUsage.du(p);
      Path aside = store.setAside(p);
      if (aside == null) {
        return 0;
      }
      if (!name.startsWith(TMP_PREFIX)) {
        markers.remove(layerName);
      }
      Trees.deleteRecursively(aside);
      return size;
    }
  }

  /** The lock that serialises extracting and removing the layer named {@code name}. */
  private FileLocks lockOf(String name) throws IOException {
    return FileLocks.of(store.locksDir().resolve("layer-" + name));
  }

  /** The entries of {@code layers/}: layers and {@code .tmp-} leftovers, not the fixed ones. */
  private List<Path> layerEntries() throws IOException {
    List<Path> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (!name.equals(EMPTY) && !name.equals(CompletionMarkers.DIR)) {
          out.add(p);
        }
      }
    }
    out.sort(null);
    return out;
  }

  /** Markers left by a removal killed between the rename and the marker's deletion. */
  private void removeOrphanMarkers() throws IOException {
    if (!Files.isDirectory(markers.dir())) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(markers.dir())) {
      for (Path m : entries) {
        String name = m.getFileName().toString();
        if (name.startsWith(".")) {
          continue; // an in-flight atomic write
        }
        FileLocks.Held held = lockOf(name).tryExclusive();
        if (held == null) {
          continue;
        }
        try (held) {
          if (!Files.exists(dir.resolve(name), LinkOption.NOFOLLOW_LINKS)
              && !Files.exists(dir.resolve(TMP_PREFIX + name), LinkOption.NOFOLLOW_LINKS)) {
            Files.deleteIfExists(m);
          }
        }
      }
    }
  }

  /**
   * The extracted layers as a part of {@code system check}: a layer whose tree no longer matches
   * its completion marker is broken, one without a marker unverified; a repair removes both
   * unless a container in {@code users} stacks them (those are reported again by the next check).
   */
  public CheckedPart checkedPart(LayerUsers users) {
    return CheckedPart.of("extracted layers", repair -> checkLayers(repair, users));
  }

  private CheckedPart.Findings checkLayers(boolean repair, LayerUsers users) throws IOException {
    List<StoreCheck.Problem> problems = new ArrayList<>();
    Set<Path> inUse = new HashSet<>();
    if (repair) {
      for (Path p : users.layersInUse()) {
        inUse.add(p.toAbsolutePath().normalize());
      }
    }
    int checked = 0;
    for (Path p : layerEntries()) {
      String name = p.getFileName().toString();
      if (name.startsWith(TMP_PREFIX) || !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        continue; // an extraction under way or its leftover: never used as a layer
      }
      checked++;
      StoreCheck.Problem problem = checkLayer(p, name);
      if (problem == null) {
        continue;
      }
      if (repair && inUse.contains(p.toAbsolutePath().normalize())) {
        problem =
            new StoreCheck.Problem(
                problem.kind(),
                problem.subject(),
                problem.detail()
                    + "; not removed: a container uses it, remove the container first");
      } else if (repair) {
        remove(p);
      }
      problems.add(problem);
    }
    return new CheckedPart.Findings(checked, problems);
  }

  /** Null if the layer at {@code p} matches its marker, else the problem. */
  private StoreCheck.Problem checkLayer(Path p, String name) throws IOException {
    String subject = "layers/" + name;
    var recorded = markers.read(name);
    if (recorded.isEmpty()) {
      return new StoreCheck.Problem(
          StoreCheck.Kind.UNVERIFIED_LAYER,
          subject,
          "no completion marker: extracted by an older lamina or by something else; a repair"
              + " removes it and its next use extracts it again");
    }
    TreeTally now;
    try {
      now = TreeTally.of(p);
    } catch (java.nio.file.NoSuchFileException gone) {
      return null; // removed meanwhile by prune or rmi
    }
    if (!now.equals(recorded.get())) {
      return new StoreCheck.Problem(
          StoreCheck.Kind.BROKEN_LAYER,
          subject,
          "has " + now + ", its extraction left " + recorded.get());
    }
    return null;
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
