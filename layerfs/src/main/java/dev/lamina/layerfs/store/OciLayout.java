package dev.lamina.layerfs.store;

import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.Index;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.oci.MediaType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A directory in OCI image layout (image-spec {@code image-layout.md}): {@code oci-layout}, {@code
 * index.json} and {@code blobs/<alg>/<hex>}. Names are {@code org.opencontainers.image.ref.name}
 * annotations on the descriptors in index.json, as skopeo's and umoci's {@code DIR:REF} expect.
 *
 * <p>index.json is read without a lock (it is only ever replaced by an atomic rename, so a reader
 * sees the old or the new file) and changed only by {@link #updateIndex} under an exclusive lock.
 */
public final class OciLayout {
  static final String LAYOUT_FILE = "oci-layout";
  static final String INDEX_FILE = "index.json";
  private static final byte[] LAYOUT_BYTES =
      "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);

  private final Path dir;
  private final LayoutBlobStore blobs;
  private final FileLocks indexLock;
  private final SpaceReserve reserve;

  private OciLayout(Path dir, LayoutBlobStore blobs, FileLocks indexLock, SpaceReserve reserve) {
    this.dir = dir;
    this.blobs = blobs;
    this.indexLock = indexLock;
    this.reserve = reserve;
  }

  /**
   * Opens an existing layout directory, e.g. one skopeo or umoci wrote.
   *
   * @throws IOException if {@code dir} is not an OCI image layout (version 1.0.0)
   */
  public static OciLayout open(Path dir) throws IOException {
    checkLayoutFile(dir);
    return foreign(dir);
  }

  /**
   * Opens the layout at {@code dir}, creating an empty one if the directory is missing or empty.
   *
   * @throws IOException if {@code dir} holds something else, or cannot be created
   */
  public static OciLayout openOrCreate(Path dir) throws IOException {
    initialise(dir);
    return foreign(dir);
  }

  private static OciLayout foreign(Path dir) throws IOException {
    // Outside the store nobody cleans temp files, and the directory itself is the user's: temp
    // files are dot-files in it (same file system) and oci-layout, which is never replaced, is the
    // lock file.
    TempArea temp = new TempArea(dir, ".lamina-tmp-", null);
    return new OciLayout(
        dir, new LayoutBlobStore(dir.resolve("blobs"), temp, null),
        FileLocks.of(dir.resolve(LAYOUT_FILE)), null);
  }

  /**
   * The layout inside a store, sharing the store's temp area, GC and index locks, and its space
   * reserve (which lets a change that shrinks index.json be written on a full file system).
   */
  static OciLayout inStore(
      Path dir,
      TempArea temp,
      LayoutBlobStore.WriteGuard guard,
      FileLocks indexLock,
      SpaceReserve reserve)
      throws IOException {
    initialise(dir);
    return new OciLayout(
        dir, new LayoutBlobStore(dir.resolve("blobs"), temp, guard), indexLock, reserve);
  }

  private static void initialise(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path layout = dir.resolve(LAYOUT_FILE);
    if (!Files.exists(layout, LinkOption.NOFOLLOW_LINKS)) {
      try (var entries = Files.list(dir)) {
        List<Path> other =
            entries
                .filter(p -> !p.getFileName().toString().startsWith(".lamina-tmp-"))
                .filter(p -> !p.getFileName().toString().equals("blobs"))
                .toList();
        if (!other.isEmpty()) {
          throw new IOException(dir + " is not empty and is not an OCI image layout");
        }
      }
      Files.createDirectories(dir.resolve("blobs/sha256"));
      if (!Files.exists(dir.resolve(INDEX_FILE))) {
        AtomicFiles.write(dir.resolve(INDEX_FILE), Json.toBytes(Index.of(List.of())));
      }
      AtomicFiles.write(layout, LAYOUT_BYTES);
    }
    checkLayoutFile(dir);
    Files.createDirectories(dir.resolve("blobs/sha256"));
  }

  private static void checkLayoutFile(Path dir) throws IOException {
    Path layout = dir.resolve(LAYOUT_FILE);
    byte[] bytes;
    try (InputStream in = Files.newInputStream(layout, LinkOption.NOFOLLOW_LINKS)) {
      bytes = Json.readCapped(in);
    } catch (NoSuchFileException e) {
      throw new IOException(dir + " is not an OCI image layout (no oci-layout file)");
    }
    Object version = Json.readObject(bytes).raw("imageLayoutVersion");
    if (!"1.0.0".equals(version)) {
      throw new IOException(
          dir
              + " has unsupported imageLayoutVersion \""
              + (version == null ? "" : version)
              + "\" (want 1.0.0)");
    }
  }

  /** The layout's directory. */
  public Path dir() {
    return dir;
  }

  /** The layout's blobs. */
  public BlobStore blobs() {
    return blobs;
  }

  LayoutBlobStore layoutBlobs() {
    return blobs;
  }

  /**
   * The current index.json.
   *
   * @throws IOException if it is missing, too large, or not an image index
   */
  public Index index() throws IOException {
    byte[] bytes;
    Path file = dir.resolve(INDEX_FILE);
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      bytes = Json.readCapped(in);
    } catch (NoSuchFileException e) {
      throw new IOException(dir + " is not an OCI image layout (no index.json)");
    }
    try {
      return Json.readIndex(bytes, MediaType.OCI_INDEX);
    } catch (IOException e) {
      throw new IOException(dir.resolve(INDEX_FILE) + ": " + e.getMessage(), e);
    }
  }

  /** A change to index.json. */
  @FunctionalInterface
  public interface IndexChange {
    /** The next index, given the current one. */
    Index apply(Index current) throws IOException;
  }

  /**
   * Changes index.json under an exclusive lock (so concurrent writers, threads or processes, never
   * lose each other's changes) and replaces it atomically.
   *
   * @return the index written
   * @throws IOException if the change fails or the file cannot be written (it is then unchanged)
   */
  public Index updateIndex(IndexChange change) throws IOException {
    try (FileLocks.Held lock = indexLock.exclusive()) {
      Path file = dir.resolve(INDEX_FILE);
      Index current = index();
      long before = Files.size(file);
      Index next = change.apply(current);
      byte[] bytes = Json.toBytes(next);
      try {
        AtomicFiles.write(file, bytes);
      } catch (IOException full) {
        // Only a change that does not grow the index may use the reserve: it is what lets rmi
        // free space on a full store, and a tag would use it up for good.
        if (reserve == null || bytes.length > before || !reserve.release()) {
          throw full;
        }
        AtomicFiles.write(file, bytes);
      }
      if (reserve != null) {
        reserve.refill(bytes.length);
      }
      return next;
    }
  }

  /** Makes the space reserve again if it is missing (best effort). */
  void refillReserve() {
    if (reserve != null) {
      reserve.refill(0);
    }
  }

  /** The descriptor named {@code refName} in index.json, if any. */
  public Optional<Descriptor> find(String refName) throws IOException {
    return index().manifests().stream()
        .filter(d -> refName.equals(d.annotation(Descriptor.REF_NAME)))
        .findFirst();
  }

  /**
   * Names {@code target} {@code refName}: any other descriptor with that name loses it (and, if it
   * had no other purpose, its entry), then {@code target} is added with the annotation.
   *
   * @throws IOException if index.json cannot be updated
   */
  public void tag(String refName, Descriptor target) throws IOException {
    updateIndex(current -> withName(current, refName, target));
  }

  /**
   * The entries of {@code index} with {@code refName} pointing at {@code target}: entries of that
   * name are dropped, the new one added, named entries sorted by name (unnamed ones kept first, in
   * their order), so the file is the same whatever order names were given in.
   */
  public static Index withName(Index index, String refName, Descriptor target) {
    List<Descriptor> next = new ArrayList<>(withoutName(index, refName).manifests());
    next.add(target.withAnnotation(Descriptor.REF_NAME, refName));
    return index.withManifests(sortByName(next));
  }

  /** {@code index} without any entry named {@code refName}. */
  public static Index withoutName(Index index, String refName) {
    List<Descriptor> next = new ArrayList<>();
    for (Descriptor d : index.manifests()) {
      if (!refName.equals(d.annotation(Descriptor.REF_NAME))) {
        next.add(d);
      }
    }
    return index.withManifests(next);
  }

  private static List<Descriptor> sortByName(List<Descriptor> entries) {
    List<Descriptor> sorted = new ArrayList<>(entries);
    sorted.sort(
        Comparator.comparing(
            (Descriptor d) -> d.annotation(Descriptor.REF_NAME),
            Comparator.nullsFirst(Comparator.naturalOrder())));
    return sorted;
  }

}
