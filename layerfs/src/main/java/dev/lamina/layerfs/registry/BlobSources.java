package dev.lamina.layerfs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lamina.layerfs.digest.Digest;
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
      JsonNode repos = read().path(digest.toString());
      for (JsonNode r : repos) {
        String name = r.asText("");
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
        ObjectNode all;
        try {
          all = read();
        } catch (IOException e) {
          all = Json.mapper().createObjectNode();
        }
        Map<String, List<String>> map = new LinkedHashMap<>();
        all.fields().forEachRemaining(e -> {
          List<String> repos = new ArrayList<>();
          e.getValue().forEach(r -> repos.add(r.asText()));
          map.put(e.getKey(), repos);
        });
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
        ObjectNode out = Json.mapper().createObjectNode();
        map.forEach((k, v) -> {
          ArrayNode a = out.putArray(k);
          v.forEach(a::add);
        });
        AtomicFiles.write(file, Json.toBytes(out));
      }
    }
  }

  private ObjectNode read() throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = Json.readCapped(in);
    } catch (NoSuchFileException e) {
      return Json.mapper().createObjectNode();
    }
    JsonNode tree = Json.readTree(bytes);
    return tree.isObject() ? (ObjectNode) tree : Json.mapper().createObjectNode();
  }
}
