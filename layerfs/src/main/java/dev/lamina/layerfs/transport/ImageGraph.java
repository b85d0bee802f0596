package dev.lamina.layerfs.transport;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.VerifyingInputStream;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.Index;
import dev.lamina.layerfs.oci.Manifest;
import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.store.BlobStore;
import dev.lamina.layerfs.store.OciContent;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The blobs an image consists of, and copying them from one blob store to another. */
final class ImageGraph {
  private static final int MAX_DEPTH = 8;

  private ImageGraph() {}

  /**
   * Every blob of the image {@code root} names, children before their parents (so a reader never
   * meets a manifest before what it references). Manifests and indexes are read verified.
   *
   * @throws IOException if a manifest or index is missing, damaged or not parseable
   */
  static Map<Digest, Descriptor> blobs(BlobStore store, Descriptor root) throws IOException {
    Map<Digest, Descriptor> out = new LinkedHashMap<>();
    walk(store, root, out, 0);
    return out;
  }

  private static void walk(BlobStore store, Descriptor d, Map<Digest, Descriptor> out, int depth)
      throws IOException {
    if (out.containsKey(d.digest())) {
      return;
    }
    if (depth > MAX_DEPTH) {
      throw new IOException("image indexes nested too deeply at " + d.digest());
    }
    if (MediaType.isIndex(d.mediaType())) {
      Index index = OciContent.index(store, d);
      for (Descriptor child : index.manifests()) {
        walk(store, child, out, depth + 1);
      }
    } else if (MediaType.isManifest(d.mediaType())) {
      Manifest m = OciContent.manifest(store, d);
      out.putIfAbsent(m.config().digest(), m.config());
      for (Descriptor layer : m.layers()) {
        out.putIfAbsent(layer.digest(), layer.withoutAnnotations());
      }
    }
    out.put(d.digest(), d.withoutAnnotations().withPlatform(null));
  }

  /**
   * Copies the image {@code root} from {@code from} to {@code to}, children first, each blob
   * verified against its descriptor while it streams. Blobs the destination has are skipped.
   *
   * @throws IOException if a blob is missing or differs from its descriptor
   */
  static void copy(BlobStore from, BlobStore to, Descriptor root) throws IOException {
    for (Descriptor d : blobs(from, root).values()) {
      if (to.exists(d.digest()) && to.size(d.digest()) == d.size()) {
        continue;
      }
      try (VerifyingInputStream in = from.open(d.digest(), d.size())) {
        to.putVerified(in, d);
      }
    }
  }
}
