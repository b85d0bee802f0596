package dev.lamina.layerfs.transport;

import dev.lamina.layerfs.compress.UncompressedDigester;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestMismatchException;
import dev.lamina.layerfs.digest.VerifyingInputStream;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.Index;
import dev.lamina.layerfs.oci.Manifest;
import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.store.BlobStore;
import dev.lamina.layerfs.store.BlobWriter;
import dev.lamina.layerfs.store.OciContent;
import java.io.IOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
   * The diff_id the configs of the image {@code root} give each of their layers, by layer digest
   * (manifests whose config is not an image config give none).
   *
   * @throws DigestMismatchException if two configs give one layer different diff_ids
   * @throws IOException if a manifest, index or config cannot be read
   */
  static Map<Digest, Digest> diffIds(BlobStore store, Descriptor root) throws IOException {
    Map<Digest, Digest> out = new HashMap<>();
    for (Descriptor d : blobs(store, root).values()) {
      if (!MediaType.isManifest(d.mediaType())) {
        continue;
      }
      Manifest m = OciContent.manifest(store, d);
      List<Digest> ids = OciContent.diffIds(store, m).orElse(List.of());
      for (int i = 0; i < ids.size(); i++) {
        Digest layer = m.layers().get(i).digest();
        Digest before = out.putIfAbsent(layer, ids.get(i));
        if (before != null && !before.equals(ids.get(i))) {
          throw new DigestMismatchException("layer " + layer + " has diff_id " + before
              + " in one image config and " + ids.get(i) + " in another");
        }
      }
    }
    return out;
  }

  /**
   * Copies the image {@code root} from {@code from} to {@code to}, children first, each blob
   * verified against its descriptor while it streams, and with {@code checkDiffIds} each layer's
   * decompressed bytes against the diff_id its config gives (on the same read): a layer the
   * destination has is not copied, but still checked. Other blobs it has are skipped.
   *
   * @throws DigestMismatchException if a blob differs from its descriptor, or a layer from its
   *     diff_id
   * @throws IOException if a blob is missing
   */
  static void copy(BlobStore from, BlobStore to, Descriptor root, boolean checkDiffIds)
      throws IOException {
    Map<Digest, Digest> diffIds = checkDiffIds ? diffIds(from, root) : Map.of();
    for (Descriptor d : blobs(from, root).values()) {
      Digest diffId = diffIds.get(d.digest());
      if (to.exists(d.digest()) && to.size(d.digest()) == d.size()) {
        if (diffId != null) {
          try (VerifyingInputStream in = to.open(d.digest(), d.size())) {
            UncompressedDigester.check(in, d, diffId);
          }
        }
        continue;
      }
      try (VerifyingInputStream in = from.open(d.digest(), d.size())) {
        if (diffId == null) {
          to.putVerified(in, d);
          continue;
        }
        try (UncompressedDigester unpacked = UncompressedDigester.start(d, diffId.algorithm());
            BlobWriter w = to.newWriter(d.digest().algorithm())) {
          in.transferTo(unpacked.alongside(w));
          UncompressedDigester.requireDiffId(d, unpacked.finish(), diffId);
          w.commit(d.digest(), d.size());
        }
      }
    }
  }
}
