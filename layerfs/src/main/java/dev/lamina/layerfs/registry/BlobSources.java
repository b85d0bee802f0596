package dev.lamina.layerfs.registry;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.json.JsonCodec;
import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.layerfs.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which registry repositories are known to hold a blob, learnt from pushes and pulls, so a push to
 * another repository of the same registry can mount the blob instead of sending it. Kept in {@code
 * $LAMINA_ROOT/cache/registry/blob-sources.json} ({@code {"sha256:...": ["host:port/repo",
 * ...]}}), bounded ({@value #MAX_DIGESTS} digests, {@value #MAX_PER_DIGEST} repositories each,
 * oldest dropped), changed under a file lock and replaced atomically. It is only a hint: a mount
 * the registry refuses becomes a normal upload.
 */
public final class BlobSources {
  static final int MAX_DIGESTS = 10_000;
  static final int MAX_PER_DIGEST = 4;
  private static final Object IN_PROCESS = new Object();

  private final Path file;
  private final Path lock;

  private BlobSources(Path file, Path lock) {
    this.file = file;
    this.lock = lock;
  }

  /** The record of {@code store}. */
  public static BlobSources of(Store store) {
    Path dir = store.cacheDir().resolve("registry");
    return new BlobSources(dir.resolve("blob-sources.json"), dir.resolve("blob-sources.lock"));
  }

  /**
   * Repositories of {@code registry} other than {@code except} known to hold {@code digest},
   * most recent first.
   */
  public List<String> candidates(Digest digest, String registry, String except) {
    List<String> out = new ArrayList<>();
    try {
      List<String> repos = read().getOrDefault(digest.toString(), List.of());
      for (String name : repos) {
        String prefix = registry + "/";
        if (name.startsWith(prefix) && !name.equals(prefix + except)) {
          out.add(0, name.substring(prefix.length()));
        }
      }
    } catch (IOException e) {
      // a damaged hint file only costs mounts
    }
    return out;
  }

  /**
   * Records that {@code registry/repository} holds {@code digests}.
   *
   * @throws IOException if the record cannot be written
   */
  public void record(String registry, String repository, Collection<Digest> digests)
      throws IOException {
    if (digests.isEmpty()) {
      return;
    }
    String where = registry + "/" + repository;
    Files.createDirectories(file.getParent());
    synchronized (IN_PROCESS) {
      try (FileChannel ch =
              FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock held = ch.lock()) {
        Map<String, List<String>> map;
        try {
          map = read();
        } catch (IOException e) {
          map = new LinkedHashMap<>();
        }
        for (Digest d : digests) {
          List<String> repos = map.remove(d.toString());
          repos = repos == null ? new ArrayList<>() : repos;
          repos.remove(where);
          repos.add(where);
          while (repos.size() > MAX_PER_DIGEST) {
            repos.remove(0);
          }
          map.put(d.toString(), repos); // re-inserted last: most recently used
        }
        Iterator<String> oldest = map.keySet().iterator();
        while (map.size() > MAX_DIGESTS && oldest.hasNext()) {
          oldest.next();
          oldest.remove();
        }
        AtomicFiles.write(file, JsonWriter.toBytes(map, RECORD));
      }
    }
  }

  /** Digest to repositories, oldest first, in the file's order (the least recently used first). */
  private Map<String, List<String>> read() throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = Json.readCapped(in);
    } catch (NoSuchFileException e) {
      return new LinkedHashMap<>();
    }
    return JsonObject.read(bytes, RECORD);
  }

  /** The file: an object of digests, each an array of {@code registry/repository} names. */
  private static final JsonCodec<Map<String, List<String>>> RECORD =
      new JsonCodec<>() {
        @Override
        public void write(JsonWriter out, Map<String, List<String>> map) throws IOException {
          out.startObject();
          for (Map.Entry<String, List<String>> e : map.entrySet()) {
            out.strings(e.getKey(), e.getValue()); // in order: the order is the recency
          }
          out.endObject();
        }

        @Override
        public Map<String, List<String>> read(JsonObject in) throws JsonFormatException {
          Map<String, List<String>> map = new LinkedHashMap<>();
          for (String digest : in.names()) {
            List<String> repos = in.strings(digest);
            if (repos != null) {
              map.put(digest, new ArrayList<>(repos));
            }
          }
          return map;
        }
      };
}
