package dev.lamina.builder.exec;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.Descriptor;
import java.util.Objects;

/**
 * One layer of a build state: the blob as stored and the digest of its uncompressed tar.
 *
 * @param blob the layer blob's descriptor (media type, digest, size)
 * @param diffId the digest of the uncompressed tar, as the image config lists it
 */
public record LayerRef(Descriptor blob, Digest diffId) {
  public LayerRef {
    Objects.requireNonNull(blob, "blob");
    Objects.requireNonNull(diffId, "diffId");
  }
}
