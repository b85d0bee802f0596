package dev.lamina.layerfs.store;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Index;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.oci.Manifest;
import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.oci.Platform;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** Reading the JSON documents of an image out of any {@link BlobStore}, verified and capped. */
public final class OciContent {
  private OciContent() {}

  /**
   * The manifest {@code d} points at.
   *
   * @throws BlobNotFoundException if it is missing
   * @throws IOException if it does not match {@code d}, or is not a manifest of that media type
   */
  public static Manifest manifest(BlobStore blobs, Descriptor d) throws IOException {
    try {
      return Json.readManifest(blobs.readVerified(d), d.mediaType());
    } catch (BlobNotFoundException e) {
      throw e;
    } catch (IOException e) {
      throw new IOException("manifest " + d.digest() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The index (or Docker manifest list) {@code d} points at.
   *
   * @throws BlobNotFoundException if it is missing
   * @throws IOException if it does not match {@code d}, or is not an index
   */
  public static Index index(BlobStore blobs, Descriptor d) throws IOException {
    try {
      return Json.readIndex(blobs.readVerified(d), d.mediaType());
    } catch (BlobNotFoundException e) {
      throw e;
    } catch (IOException e) {
      throw new IOException("index " + d.digest() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The image config a manifest names.
   *
   * @throws BlobNotFoundException if it is missing
   * @throws IOException if it does not match its descriptor or does not parse
   */
  public static ImageConfig config(BlobStore blobs, Manifest manifest) throws IOException {
    try {
      return Json.read(blobs.readVerified(manifest.config()), ImageConfig.class);
    } catch (BlobNotFoundException e) {
      throw e;
    } catch (IOException e) {
      throw new IOException("config " + manifest.config().digest() + ": " + e.getMessage(), e);
    }
  }

  /**
   * The diff_ids the image config of {@code manifest} gives its layers, one per layer, or empty
   * when its config is not an image config (an artifact's).
   *
   * @throws BlobNotFoundException if the config is missing
   * @throws IOException if the config is damaged, or lists another number of diff_ids
   */
  public static Optional<List<Digest>> diffIds(BlobStore blobs, Manifest manifest)
      throws IOException {
    String type = manifest.config().mediaType();
    if (!type.equals(MediaType.OCI_CONFIG) && !type.equals(MediaType.DOCKER_CONFIG)) {
      return Optional.empty();
    }
    List<Digest> ids = config(blobs, manifest).diffIds();
    if (ids.size() != manifest.layers().size()) {
      throw new IOException("config " + manifest.config().digest() + " lists " + ids.size()
          + " diff_ids for " + manifest.layers().size() + " layers");
    }
    return Optional.of(ids);
  }

  /**
   * The child of {@code index} for {@code platform} (the first match, as containerd's platform
   * matcher would pick), if any.
   */
  public static Optional<Descriptor> childFor(Index index, Platform platform) {
    return index.manifests().stream()
        .filter(d -> MediaType.isManifest(d.mediaType()))
        .filter(d -> d.platform() != null && d.platform().matches(platform))
        .findFirst();
  }

}
