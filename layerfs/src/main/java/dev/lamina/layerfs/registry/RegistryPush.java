package dev.lamina.layerfs.registry;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestMismatchException;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Index;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.oci.Manifest;
import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.store.BlobStore;
import dev.lamina.layerfs.store.OciContent;
import dev.lamina.layerfs.store.Store;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Pushes an image from a {@link Store} to a registry: blobs first (in parallel, each skipped when
 * the registry has it, mounted when another repository there has it, compressed on the way out
 * when asked), each manifest after its blobs, an index after its manifests, and the tags last.
 *
 * <p>With a compression format, layers stored otherwise are re-encoded. The first time, a layer
 * is compressed straight into its upload (one streamed PATCH, or chunks with a chunk size) while
 * the same bytes go to {@link CompressedBlobCache}: reading, compressing (on every core) and
 * sending overlap, and the registry cannot be asked first whether it has the result, whose
 * digest is known only at the end. Later pushes find the compressed digest in the cache, so the
 * registry is asked (HEAD, then a mount) and the cached blob sent only if needed. diff_ids are
 * checked while compressing and never change. A manifest whose layers changed is rewritten
 * (canonical JSON), so its digest changes, and so does that of an index over it.
 */
public final class RegistryPush {
  private final Store store;
  private final RegistryClient client;
  private final RegistryReference dest;
  private final RegistryOptions options;
  private final BlobUploader uploader;
  private final CompressedBlobCache cache;
  private final BlobSources sources;
  private final Set<Digest> sent = java.util.Collections.synchronizedSet(new LinkedHashSet<>());

  private RegistryPush(Store store, RegistryClient client, RegistryReference dest,
      RegistryOptions options) throws IOException {
    this.store = store;
    this.client = client;
    this.dest = dest;
    this.options = options;
    this.uploader =
        new BlobUploader(client, dest.repository(), options.chunkSize(), options.progress());
    this.cache = options.compression() == null ? null : CompressedBlobCache.of(store);
    this.sources = BlobSources.of(store);
  }

  /**
   * Pushes the image {@code root} (a manifest or index in the store) to {@code dest} and tags it
   * there with dest's tag and {@link RegistryOptions#additionalTags()}.
   *
   * @return the descriptor of what the tags point at in the registry
   * @throws IllegalArgumentException if {@code dest} has a digest the pushed image would not have
   * @throws BlockedRegistryException if registries.conf blocks {@code dest}
   * @throws RegistryException if the registry refuses something
   * @throws IOException if stored content is damaged or the transfer fails
   */
  public static Descriptor push(
      Store store, Descriptor root, RegistryReference dest, RegistryOptions options)
      throws IOException {
    // registries.conf may move the namespace elsewhere, allow it without TLS, or forbid it.
    RegistriesConf.Endpoint to = options.registriesConf().pushEndpoint(dest);
    return pushTo(store, root, to.ref(), to.insecure() ? options.withTlsVerify(false) : options);
  }

  private static Descriptor pushTo(
      Store store, Descriptor root, RegistryReference dest, RegistryOptions options)
      throws IOException {
    RegistryClient client = RegistryClient.connect(dest.registry(), dest.endpoint(), options);
    RegistryPush p = new RegistryPush(store, client, dest, options);
    ExecutorService pool = Executors.newFixedThreadPool(options.jobs(), r -> {
      Thread t = new Thread(r, "lamina-push");
      t.setDaemon(true);
      return t;
    });
    try {
      Pushed top = p.pushTree(root, pool, 0);
      if (dest.digest() != null && !dest.digest().equals(top.descriptor.digest())) {
        throw new IllegalArgumentException(
            "the image pushed would have digest " + top.descriptor.digest() + ", not "
                + dest.digest() + " as the destination says");
      }
      List<String> refs = new ArrayList<>();
      if (dest.tag() != null) {
        refs.add(dest.tag());
      }
      for (String t : options.additionalTags()) {
        if (!refs.contains(t)) {
          refs.add(t);
        }
      }
      if (refs.isEmpty()) {
        refs.add(top.descriptor.digest().toString());
      }
      for (String ref : refs) {
        client.putManifest(dest.repository(), ref, top.descriptor.mediaType(), top.bytes);
      }
      options.progress().message(
          "Writing manifest " + top.descriptor.digest() + " to " + dest.name() + " ("
              + String.join(", ", refs) + ")");
      p.sources.record(dest.registry(), dest.repository(), p.sent);
      return top.descriptor;
    } finally {
      pool.shutdownNow();
      client.close();
    }
  }

  /** What a manifest or index became in the registry: its bytes and descriptor. */
  private record Pushed(byte[] bytes, Descriptor descriptor) {}

  private Pushed pushTree(Descriptor d, ExecutorService pool, int depth) throws IOException {
    if (depth > 4) {
      throw new IOException("image indexes nested too deeply at " + d.digest());
    }
    BlobStore blobs = store.blobs();
    byte[] original = blobs.readVerified(d);
    if (MediaType.isIndex(d.mediaType())) {
      Index index = OciContent.index(blobs, d);
      List<Descriptor> children = new ArrayList<>();
      boolean changed = false;
      for (Descriptor child : index.manifests()) {
        if (!MediaType.isManifest(child.mediaType()) && !MediaType.isIndex(child.mediaType())) {
          throw new IOException("index " + d.digest() + " has a child of unsupported type "
              + child.mediaType());
        }
        Pushed p = pushTree(child, pool, depth + 1);
        client.putManifest(dest.repository(), p.descriptor.digest().toString(),
            p.descriptor.mediaType(), p.bytes);
        sent.add(p.descriptor.digest());
        Descriptor next =
            new Descriptor(p.descriptor.mediaType(), p.descriptor.digest(), p.descriptor.size(),
                child.urls(), child.annotations(), null, child.platform(), child.artifactType());
        changed |= !next.equals(child);
        children.add(next);
      }
      byte[] bytes = changed ? Json.toBytes(index.withManifests(children)) : original;
      return new Pushed(bytes, Descriptor.of(d.mediaType(), Digest.sha256(bytes), bytes.length));
    }
    if (!MediaType.isManifest(d.mediaType())) {
      throw new IOException("cannot push " + d.digest() + " of type " + d.mediaType());
    }
    Manifest m = OciContent.manifest(blobs, d);
    List<Digest> diffIds = List.of();
    if (cache != null && !m.layers().isEmpty()) {
      ImageConfig cfg = OciContent.config(blobs, m);
      if (cfg.diffIds().size() != m.layers().size()) {
        throw new IOException("image " + d.digest() + ": config lists " + cfg.diffIds().size()
            + " diff_ids for " + m.layers().size() + " layers");
      }
      diffIds = cfg.diffIds();
    }
    List<Future<Descriptor>> layers = new ArrayList<>();
    Future<Descriptor> config = pool.submit(() -> sendAsIs(m.config()));
    for (int i = 0; i < m.layers().size(); i++) {
      Descriptor layer = m.layers().get(i);
      Digest diffId = diffIds.isEmpty() ? null : diffIds.get(i);
      layers.add(pool.submit(() -> sendLayer(layer, diffId, m.isDocker())));
    }
    List<Descriptor> outgoing = new ArrayList<>();
    await(config);
    for (Future<Descriptor> f : layers) {
      outgoing.add(await(f));
    }
    if (outgoing.equals(m.layers())) {
      return new Pushed(original, Descriptor.of(d.mediaType(), d.digest(), d.size()));
    }
    Manifest next =
        new Manifest(m.schemaVersion(), m.mediaType(), m.artifactType(), m.config(), outgoing,
            m.subject(), m.annotations());
    byte[] bytes = Json.toBytes(next);
    return new Pushed(bytes, Descriptor.of(d.mediaType(), Digest.sha256(bytes), bytes.length));
  }

  private Descriptor sendAsIs(Descriptor blob) throws IOException {
    send(blob, store.blobs());
    return blob;
  }

  private Descriptor sendLayer(Descriptor layer, Digest diffId, boolean docker)
      throws IOException {
    Compression want = options.compression();
    Compression have = Compression.fromMediaType(layer.mediaType()).orElse(null);
    if (want == null || have == null || want == have || !layer.urls().isEmpty()) {
      return sendAsIs(layer);
    }
    if (docker && want == Compression.ZSTD) {
      throw new IOException("zstd layers need an OCI manifest; this image uses Docker schema 2"
          + " (push with --compression-format gzip)");
    }
    int level = options.level();
    Descriptor out = cache.find(layer, want, level).orElse(null);
    if (out != null) {
      // Compressed before: its digest is known, so the registry may have it or mount it.
      try {
        send(forManifest(out, want, docker), cache.blobs());
        return forManifest(out, want, docker);
      } catch (DigestMismatchException e) {
        cache.forget(layer, want, level, out.digest()); // damaged in the cache: make it again
      }
    }
    out = forManifest(streamLayer(layer, diffId, want, level), want, docker);
    sent.add(out.digest());
    options.progress().finished(layer, TransferProgress.Outcome.PUSHED);
    return out;
  }

  private static Descriptor forManifest(Descriptor out, Compression want, boolean docker) {
    if (docker) {
      return out.withMediaType(want == Compression.GZIP
          ? MediaType.DOCKER_LAYER_GZIP : MediaType.DOCKER_LAYER);
    }
    return out;
  }

  /**
   * Compresses a layer straight into an upload (and into the cache, for the next push), reading,
   * compressing and sending at once. Its digest is known only at the end, so the registry cannot
   * be asked first whether it has it. If the upload fails on the way (not for a damaged layer or
   * a refusal such as 400 or 403), the layer is compressed into the cache alone and sent from
   * there, with the retries and resumption an upload of known content allows.
   */
  private Descriptor streamLayer(Descriptor layer, Digest diffId, Compression want, int level)
      throws IOException {
    options.progress().started(layer, "compressing");
    BlobUploader.BlobStream up = uploader.stream();
    try {
      Descriptor out = cache.compress(store.blobs(), layer, diffId, want, level,
          n -> options.progress().advanced(layer, n), up);
      up.finish(out.digest());
      return out;
    } catch (DigestMismatchException e) {
      up.abort();
      throw e;
    } catch (RegistryException e) {
      up.abort();
      // Worth another go: an expired token, a busy or failing server. Not a refusal.
      if (e.status() != 401 && e.status() != 408 && e.status() != 429 && e.status() < 500) {
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      up.abort();
      if (e instanceof RuntimeException re) {
        throw re;
      }
    }
    Descriptor out = cache.find(layer, want, level).orElse(null);
    if (out == null) {
      options.progress().started(layer, "compressing");
      out = cache.compress(store.blobs(), layer, diffId, want, level,
          n -> options.progress().advanced(layer, n));
    }
    send(out, cache.blobs());
    return out;
  }

  private void send(Descriptor blob, BlobStore from) throws IOException {
    List<String> mounts = sources.candidates(blob.digest(), dest.registry(), dest.repository());
    TransferProgress.Outcome outcome =
        uploader.upload(blob, () -> from.open(blob.digest(), blob.size()), mounts);
    sent.add(blob.digest());
    options.progress().finished(blob, outcome);
  }

  private static <T> T await(Future<T> f) throws IOException {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("push interrupted");
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(c);
    }
  }
}
