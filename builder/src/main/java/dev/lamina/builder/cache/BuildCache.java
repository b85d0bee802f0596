package dev.lamina.builder.cache;

import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.layerfs.store.PruneHook;
import dev.lamina.layerfs.store.Store;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The build cache of a store, under {@code $LAMINA_ROOT/cache/}: one small JSON record per step
 * key ({@code steps/<hex>.json}) naming the layer blob the step wrote. Records are written
 * atomically, so concurrent builds can share the cache; the last writer of a key wins, and both
 * wrote equivalent layers.
 *
 * <p>The blobs themselves live in the image store. A record whose blob is gone (pruned, because
 * no image used it) is a miss, never an error. {@code system prune} clears every record through
 * {@link #pruneHook()}.
 */
public final class BuildCache {
  private final Store store;
  private final Path steps;

  private BuildCache(Store store) {
    this.store = store;
    this.steps = store.cacheDir().resolve("steps");
  }

  /** The cache of {@code store}. */
  public static BuildCache of(Store store) {
    return new BuildCache(store);
  }

  /** The cache's directory ({@code $LAMINA_ROOT/cache}). */
  public Path dir() {
    return store.cacheDir();
  }

  /**
   * The layer cached under {@code key}, if its record exists and its blob is still stored. A
   * damaged record reads as a miss.
   *
   * @throws IOException if the blob store cannot be read
   */
  public Optional<CachedLayer> get(CacheKey key) throws IOException {
    Path record = recordOf(key);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(record);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    CachedLayer layer;
    try {
      layer = JsonObject.read(bytes, CachedLayerCodec.INSTANCE);
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // a damaged record is rewritten by the next miss
    }
    if (layer.layer() != null && !store.blobs().exists(layer.layer().digest())) {
      return Optional.empty();
    }
    return Optional.of(layer);
  }

  /**
   * Records that the step with {@code key} wrote {@code layer}.
   *
   * @throws IOException if the record cannot be written
   */
  public void put(CacheKey key, CachedLayer layer) throws IOException {
    Files.createDirectories(steps);
    AtomicFiles.write(recordOf(key), JsonWriter.toBytes(layer, CachedLayerCodec.INSTANCE));
  }

  /**
   * Whether a step with the identity {@code identity} (its key without its inputs' digests) has
   * been recorded: when not, no record can match it.
   */
  public boolean seen(CacheKey identity) {
    return Files.exists(markerOf(identity));
  }

  /**
   * When the latest run of a step with {@code identity} that wrote its layer began ({@link
   * #markSeen}), or empty if none was recorded (then no record can match it). Kept as the time
   * of its marker file.
   */
  public Optional<Instant> lastRun(CacheKey identity) {
    try {
      return Optional.of(Files.getLastModifiedTime(markerOf(identity)).toInstant());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Records that a step with {@code identity} ran, in a run that began at {@code began}.
   *
   * @throws IOException if the marker cannot be written
   */
  public void markSeen(CacheKey identity, Instant began) throws IOException {
    Path marker = markerOf(identity);
    if (!Files.exists(marker)) {
      Files.createDirectories(steps);
      AtomicFiles.write(marker, new byte[0]);
    }
    Files.setLastModifiedTime(marker, FileTime.from(began));
  }

  private Path markerOf(CacheKey identity) {
    return steps.resolve(identity.digest().hex() + ".seen");
  }

  /**
   * The recorded keys' fields whose first field line (the step kind and parent) equals {@code
   * key}'s: candidates for explaining a miss.
   *
   * @throws IOException if the directory cannot be listed
   */
  public List<List<String>> similar(CacheKey key, int limit) throws IOException {
    List<List<String>> out = new ArrayList<>();
    if (!Files.isDirectory(steps)) {
      return out;
    }
    try (DirectoryStream<Path> records = Files.newDirectoryStream(steps, "*.json")) {
      for (Path p : records) {
        if (out.size() >= limit) {
          break;
        }
        try {
          CachedLayer c = JsonObject.read(Files.readAllBytes(p), CachedLayerCodec.INSTANCE);
          if (c.fields().size() >= 2
              && key.fields().size() >= 2
              && c.fields().subList(0, 2).equals(key.fields().subList(0, 2))) {
            out.add(c.fields());
          }
        } catch (IOException | RuntimeException e) {
          // skip damaged records
        }
      }
    }
    return out;
  }

  /**
   * Removes every record.
   *
   * @return bytes freed
   * @throws IOException if a record cannot be removed
   */
  public long clear() throws IOException {
    long freed = 0;
    if (!Files.isDirectory(steps)) {
      return 0;
    }
    try (DirectoryStream<Path> records = Files.newDirectoryStream(steps)) {
      for (Path p : records) {
        long size = Files.size(p);
        if (Files.deleteIfExists(p)) {
          freed += size;
        }
      }
    }
    return freed;
  }

  /**
   * The hook {@code system prune} runs: it clears the cache records (the blobs they named were
   * unreferenced and are already gone by then) and the file-digest memos.
   */
  public static PruneHook pruneHook() {
    return store -> {
      BuildCache cache = of(store);
      long freed = cache.clear();
      Path memos = store.cacheDir().resolve("digests");
      if (Files.isDirectory(memos)) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(memos)) {
          for (Path p : files) {
            long size = Files.size(p);
            if (Files.deleteIfExists(p)) {
              freed += size;
            }
          }
        }
      }
      return freed;
    };
  }

  private Path recordOf(CacheKey key) {
    return steps.resolve(key.digest().hex() + ".json");
  }
}
