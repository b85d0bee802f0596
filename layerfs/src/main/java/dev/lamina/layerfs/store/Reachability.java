package dev.lamina.layerfs.store;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.Index;
import dev.lamina.layerfs.oci.Manifest;
import dev.lamina.layerfs.oci.MediaType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything reachable from some root descriptors: manifests, their configs and layers, index
 * children, recursively. A root that cannot be read (missing or corrupt) is recorded as a problem
 * and its children stay unknown.
 */
final class Reachability {
  /** A descriptor that could not be followed. */
  record Broken(Descriptor descriptor, String reason, boolean missing) {}

  private final BlobStore blobs;
  private final Map<Digest, Descriptor> reached = new LinkedHashMap<>();
  private final List<Broken> broken = new ArrayList<>();

  private Reachability(BlobStore blobs) {
    this.blobs = blobs;
  }

  /** Walks from {@code roots}. */
  static Reachability from(BlobStore blobs, List<Descriptor> roots) {
    Reachability r = new Reachability(blobs);
    for (Descriptor root : roots) {
      r.visit(root, 0);
    }
    return r;
  }

  /** Reachable blobs with the descriptor that first reached each. */
  Map<Digest, Descriptor> reached() {
    return reached;
  }

  /** What could not be followed. */
  List<Broken> broken() {
    return broken;
  }

  private void visit(Descriptor d, int depth) {
    if (reached.putIfAbsent(d.digest(), d) != null) {
      return;
    }
    if (depth > 16) {
      broken.add(new Broken(d, "indexes nested too deeply", false));
      return;
    }
    try {
      if (MediaType.isIndex(d.mediaType())) {
        Index index = OciContent.index(blobs, d);
        for (Descriptor child : index.manifests()) {
          visit(child, depth + 1);
        }
      } else if (MediaType.isManifest(d.mediaType())) {
        Manifest m = OciContent.manifest(blobs, d);
        reached.putIfAbsent(m.config().digest(), m.config());
        for (Descriptor layer : m.layers()) {
          reached.putIfAbsent(layer.digest(), layer);
        }
      }
    } catch (BlobNotFoundException e) {
      broken.add(new Broken(d, e.getMessage(), true));
    } catch (IOException e) {
      broken.add(new Broken(d, e.getMessage(), false));
    }
  }
}
