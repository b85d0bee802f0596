package dev.lamina.layerfs.store;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.Descriptor;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** {@code system df}: how many things each part of the store holds and how many bytes they use. */
public final class StoreUsage {
  /** One part: a name, its directory, a count of its entries, and the bytes of its files. */
  public record Part(String name, Path dir, long count, long bytes) {}

  private final Store store;

  StoreUsage(Store store) {
    this.store = store;
  }

  /**
   * Measures images (count: names; bytes: all of images/), blobs, layers, containers, volumes and
   * cache (count: top-level entries; bytes: du, hardlinks once, not crossing into mounts).
   *
   * @throws IOException if a directory cannot be read
   */
  public List<Part> measure() throws IOException {
    long names =
        store.layout().index().manifests().stream()
            .filter(d -> d.annotation(Descriptor.REF_NAME) != null)
            .count();
    List<Digest> blobList = store.blobs().list();
    long blobBytes = 0;
    for (var d : blobList) {
      try {
        blobBytes += store.blobs().size(d);
      } catch (BlobNotFoundException e) {
        // removed meanwhile
      }
    }
    return List.of(
        new Part("images", store.imagesDir(), names, du(store.imagesDir())),
        new Part("blobs", store.imagesDir().resolve("blobs"), blobList.size(), blobBytes),
        part("layers", store.layersDir()),
        part("containers", store.containersDir()),
        part("volumes", store.volumesDir()),
        part("cache", store.cacheDir()));
  }

  private static Part part(String name, Path dir) throws IOException {
    long count = 0;
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      try (var entries = Files.list(dir)) {
        // Dot-entries are the owner's bookkeeping (lock files, completion markers), not items.
        count = entries.filter(p -> !p.getFileName().toString().startsWith(".")).count();
      }
    }
    return new Part(name, dir, count, du(dir));
  }

  /** Bytes of the regular files under {@code dir}, each inode once, staying on one device. */
  public static long du(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return 0;
    }
    Object device = Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS);
    Set<Object> seen = new HashSet<>();
    long[] total = {0};
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs)
              throws IOException {
            // A container's rootfs mount point holds an overlay: its bytes are counted in the
            // layers and upper directories, not again here.
            return device.equals(Files.getAttribute(d, "unix:dev", LinkOption.NOFOLLOW_LINKS))
                ? FileVisitResult.CONTINUE
                : FileVisitResult.SKIP_SUBTREE;
          }

          @Override
          public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
            if (attrs.isRegularFile() && (attrs.fileKey() == null || seen.add(attrs.fileKey()))) {
              total[0] += attrs.size();
            }
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path f, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE; // removed while we walked
            }
            throw e;
          }
        });
    return total[0];
  }
}
