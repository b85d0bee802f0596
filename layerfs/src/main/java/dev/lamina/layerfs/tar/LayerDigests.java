package dev.lamina.layerfs.tar;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.Descriptor;
import java.util.Objects;

/**
 * What writing a layer blob yields.
 *
 * @param diffId digest of the uncompressed tar (the image config's {@code rootfs.diff_ids})
 * @param digest digest of the blob as stored, compressed or not (the manifest's layer digest)
 * @param size length of the blob as stored
 * @param mediaType the blob's OCI layer media type
 */
public record LayerDigests(Digest diffId, Digest digest, long size, String mediaType) {

  public LayerDigests {
    Objects.requireNonNull(diffId, "diffId");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(mediaType, "mediaType");
    if (size < 0) {
      throw new IllegalArgumentException("layer size must not be negative: " + size);
    }
  }

  /** The manifest descriptor of the blob. */
  public Descriptor descriptor() {
    return Descriptor.of(mediaType, digest, size);
  }
}
