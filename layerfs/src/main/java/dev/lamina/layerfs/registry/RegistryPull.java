package dev.lamina.layerfs.registry;

import dev.lamina.layerfs.compress.UncompressedDigester;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestMismatchException;
import dev.lamina.layerfs.digest.DigestingOutputStream;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Index;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.oci.Manifest;
import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.oci.Platform;
import dev.lamina.layerfs.store.BlobInfo;
import dev.lamina.layerfs.store.BlobStore;
import dev.lamina.layerfs.store.BlobWriter;
import dev.lamina.layerfs.store.OciContent;
import dev.lamina.layerfs.store.Store;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;

/**
 * Pulls an image from a registry into a {@link Store}. Blobs the store has are skipped; the others
 * download in parallel, each hashed while it streams into an uncommitted blob writer. Nothing is
 * committed until every blob and manifest of the image has arrived and matched its digest and
 * size: a tampered or truncated response leaves nothing in the store. Then blobs are committed
 * children first (layers and configs, manifests, the index).
 *
 * <p>Layers are checked against their blob digests here, not against the config's diff_ids:
 * that needs a decompression pass per layer, and {@link
 * dev.lamina.layerfs.layers.ExtractedLayers#ensure} does it anyway when a layer is first
 * unpacked (a layer that does not unpack to its diff_id is never used), as does a push that
 * recompresses it. An image pulled and pushed on as stored carries what the registry served,
 * verified against its digests.
 *
 * <p>The caller holds a {@link dev.lamina.layerfs.store.Lease} from the pull until the image is
 * named, so prune cannot take the new blobs in between.
 */
public final class RegistryPull {
  private final Store store;
  private final RegistryClient client;
  private final RegistryReference src;
  private final RegistryOptions options;
  /** Verified blobs waiting to be committed, in commit order. */
  private final Map<Digest, Staged> staged = new LinkedHashMap<>();

  private RegistryPull(Store store, RegistryClient client, RegistryReference src,
      RegistryOptions options) {
    this.store = store;
    this.client = client;
    this.src = src;
    this.options = options;
  }

  /** A blob that arrived whole and verified, not yet visible in the store. */
  private record Staged(Descriptor descriptor, BlobWriter writer, byte[] bytes, boolean done) {}

  /**
   * Pulls {@code src}: one platform's manifest of a multi-platform image ({@link
   * RegistryOptions#targetPlatform()}), or the whole index with {@link
   * RegistryOptions#allPlatforms()}.
   *
   * @return the descriptor of the manifest or index now in the store
   * @throws BlockedRegistryException if registries.conf blocks {@code src}
   * @throws RegistryException if the registry refuses or lacks something
   * @throws DigestMismatchException if content differs from its digest or size
   * @throws IOException if the image has no manifest for the platform, or the transfer fails
   */
  public static Descriptor pull(Store store, RegistryReference src, RegistryOptions options)
      throws IOException {
    // registries.conf: the mirrors first, in order, then the (possibly moved) location; the
    // first that serves the image whole wins, and the last one's failure is the error.
    List<RegistriesConf.Endpoint> from = options.registriesConf().pullEndpoints(src);
    for (int i = 0; ; i++) {
      RegistriesConf.Endpoint e = from.get(i);
      RegistryOptions o = e.insecure() ? options.withTlsVerify(false) : options;
      if (i == from.size() - 1) {
        return pullFrom(store, e.ref(), o);
      }
      try {
        return pullFrom(store, e.ref(), o);
      } catch (IOException failed) {
        options.progress().message("mirror " + e.ref().registry() + ": " + failed.getMessage());
      }
    }
  }

  private static Descriptor pullFrom(Store store, RegistryReference src, RegistryOptions options)
      throws IOException {
    RegistryClient client = RegistryClient.connect(src.registry(), src.endpoint(), options);
    RegistryPull p = new RegistryPull(store, client, src, options);
    ExecutorService pool = Executors.newFixedThreadPool(options.jobs(), r -> {
      Thread t = new Thread(r, "lamina-pull");
      t.setDaemon(true);
      return t;
    });
    try {
      RegistryClient.ManifestBytes root =
          client.getManifest(src.repository(), src.manifestReference());
      Descriptor target;
      if (MediaType.isIndex(root.mediaType())) {
        Index index = Json.readIndex(root.bytes(), root.mediaType());
        if (options.allPlatforms()) {
          for (Descriptor child : index.manifests()) {
            if (!MediaType.isManifest(child.mediaType())) {
              throw new IOException(src + ": index entry " + child.digest()
                  + " has unsupported type " + child.mediaType());
            }
            p.pullManifest(p.fetchChild(child), pool);
          }
          p.stage(root.descriptor(), null, root.bytes());
          target = root.descriptor();
        } else {
          Platform want = options.targetPlatform();
          Descriptor child =
              OciContent.childFor(index, want)
                  .orElseThrow(() -> new IOException(src + " has no image for " + want
                      + " (it has: " + platforms(index) + ")"));
          target = p.pullManifest(p.fetchChild(child), pool);
        }
      } else {
        target = p.pullManifest(root, pool);
      }
      p.commitAll();
      try {
        BlobSources.of(store).record(src.registry(), src.repository(), p.staged.keySet());
      } catch (IOException e) {
        // only a hint for later mounts
      }
      return target;
    } finally {
      pool.shutdownNow();
      p.discardAll();
      client.close();
    }
  }

  private static String platforms(Index index) {
    return index.manifests().stream()
        .map(d -> d.platform() == null ? "?" : d.platform().toString())
        .collect(Collectors.joining(", "));
  }

  private RegistryClient.ManifestBytes fetchChild(Descriptor child) throws IOException {
    RegistryClient.ManifestBytes m =
        client.getManifest(src.repository(), child.digest().toString());
    if (m.bytes().length != child.size() || !m.mediaType().equals(child.mediaType())) {
      throw new DigestMismatchException(src + ": manifest " + child.digest()
          + " differs from its index entry (size or media type)");
    }
    return m;
  }

  /** Downloads a manifest's config and layers, then stages the manifest itself. */
  private Descriptor pullManifest(RegistryClient.ManifestBytes mb, ExecutorService pool)
      throws IOException {
    Manifest m = Json.readManifest(mb.bytes(), mb.mediaType());
    byte[] config = fetchSmall(m.config());
    List<Digest> diffIds = null;
    if (m.config().mediaType().equals(MediaType.OCI_CONFIG)
        || m.config().mediaType().equals(MediaType.DOCKER_CONFIG)) {
      ImageConfig cfg = Json.read(config, ImageConfig.class);
      if (cfg.diffIds().size() != m.layers().size()) {
        throw new IOException(src + ": config lists " + cfg.diffIds().size() + " diff_ids for "
            + m.layers().size() + " layers");
      }
      diffIds = cfg.diffIds();
    }
    stage(m.config(), null, config);
    List<Future<Staged>> downloads = new ArrayList<>();
    for (int i = 0; i < m.layers().size(); i++) {
      Descriptor layer = m.layers().get(i);
      Digest diffId = diffIds == null ? null : diffIds.get(i);
      if (present(layer)) {
        if (diffId != null) {
          // Stored for another image, whose config may pair it with another diff_id.
          try (InputStream in = store.blobs().open(layer.digest(), layer.size())) {
            UncompressedDigester.check(in, layer, diffId);
          } catch (DigestMismatchException e) {
            throw new DigestMismatchException(src + ": " + e.getMessage());
          }
        }
        options.progress().finished(layer, TransferProgress.Outcome.SKIPPED);
        continue;
      }
      synchronized (staged) {
        if (staged.containsKey(layer.digest())) {
          continue;
        }
      }
      // Created here, not in the worker: a writer holds the store's GC guard, which belongs to
      // the thread that took it, and is committed or closed by this thread.
      BlobWriter w = store.blobs().newWriter(layer.digest().algorithm());
      synchronized (staged) {
        staged.put(layer.digest(), new Staged(layer, w, null, false));
      }
      downloads.add(pool.submit(() -> download(layer, diffId, w)));
    }
    IOException failure = null;
    for (Future<Staged> f : downloads) {
      try {
        Staged s = f.get();
        synchronized (staged) {
          staged.put(s.descriptor().digest(), s);
        }
      } catch (java.util.concurrent.CancellationException e) {
        // cancelled after the first failure, which is reported
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("pull interrupted");
      } catch (ExecutionException e) {
        if (failure == null) {
          failure = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
          downloads.forEach(other -> other.cancel(true));
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
    Descriptor d = mb.descriptor();
    stage(d, null, mb.bytes());
    return d;
  }

  private boolean present(Descriptor d) throws IOException {
    BlobStore blobs = store.blobs();
    return blobs.exists(d.digest()) && blobs.size(d.digest()) == d.size();
  }

  /** A config (or other small blob) read whole, capped and verified. */
  private byte[] fetchSmall(Descriptor d) throws IOException {
    if (d.size() > Json.MAX_METADATA_BYTES) {
      throw new IOException(src + ": config " + d.digest() + " is larger than "
          + Json.MAX_METADATA_BYTES + " bytes");
    }
    if (d.data() != null) {
      return d.data(); // verified against digest and size when the descriptor was parsed
    }
    ByteArrayOutputStream buf = new ByteArrayOutputStream((int) d.size());
    DigestingOutputStream out = new DigestingOutputStream(buf, d.digest().algorithm());
    client.getBlob(src.repository(), d, out, n -> {});
    check(d, new BlobInfo(out.digest(), out.count()));
    return buf.toByteArray();
  }

  private Staged download(Descriptor layer, Digest diffId, BlobWriter w) throws IOException {
    options.progress().started(layer, "pulling");
    // The writer hashes what it stores: its digest is checked here, and again at the commit.
    // The config's diff_id is checked on the same bytes as they arrive.
    try (UncompressedDigester unpacked =
        diffId == null ? null : UncompressedDigester.start(layer, diffId.algorithm())) {
      OutputStream sink = unpacked == null ? w : unpacked.alongside(w);
      client.getBlob(src.repository(), layer, sink, n -> options.progress().advanced(layer, n));
      check(layer, w.written());
      if (unpacked != null) {
        try {
          UncompressedDigester.requireDiffId(layer, unpacked.finish(), diffId);
        } catch (DigestMismatchException e) {
          throw new DigestMismatchException(src + ": " + e.getMessage());
        }
      }
    }
    options.progress().finished(layer, TransferProgress.Outcome.PULLED);
    return new Staged(layer, w, null, true);
  }

  private void check(Descriptor d, BlobInfo arrived) throws DigestMismatchException {
    if (arrived.size() != d.size()) {
      throw new DigestMismatchException(src + ": blob " + d.digest() + " arrived with "
          + arrived.size() + " bytes, expected " + d.size());
    }
    Digest actual = arrived.digest();
    if (!actual.equals(d.digest())) {
      throw new DigestMismatchException(
          src + ": blob " + d.digest() + " arrived with digest " + actual
              + " (the registry sent wrong content)");
    }
  }

  private void stage(Descriptor d, BlobWriter w, byte[] bytes) {
    synchronized (staged) {
      staged.remove(d.digest());
      staged.put(d.digest(), new Staged(d, w, bytes, true));
    }
  }

  /** Commits every staged blob, in the order staged (children before parents). */
  private void commitAll() throws IOException {
    BlobStore blobs = store.blobs();
    for (Staged s : staged.values()) {
      Descriptor d = s.descriptor();
      if (!s.done()) {
        throw new IllegalStateException("blob " + d.digest() + " was not downloaded");
      }
      if (s.writer() != null) {
        s.writer().commit(d.digest(), d.size());
      } else if (!present(d)) {
        try (BlobWriter w = blobs.newWriter(d.digest().algorithm())) {
          w.write(s.bytes());
          w.commit(d.digest(), d.size());
        }
      }
    }
  }

  private void discardAll() {
    synchronized (staged) {
      for (Staged s : staged.values()) {
        if (s != null && s.writer() != null) {
          try {
            s.writer().close();
          } catch (IOException e) {
            // the temp area is cleaned at the next start anyway
          }
        }
      }
    }
  }
}
