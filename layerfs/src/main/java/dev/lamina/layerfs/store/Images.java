package dev.lamina.layerfs.store;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Index;
import dev.lamina.layerfs.oci.Manifest;
import dev.lamina.layerfs.oci.MediaType;
import dev.lamina.layerfs.oci.Platform;
import java.io.IOException;
import java.util.List;

/**
 * The named images of a store. A name is a full reference ({@code localhost/hello:latest}); short
 * forms are normalised ({@code hello} is {@code localhost/hello:latest}). An image's id is its
 * config digest (an index's id is its own digest). Wherever a method takes {@code image}, that
 * can be a name, a full or unambiguous short id (or manifest digest), or {@code name@digest}.
 *
 * <p>All methods are safe to call from several threads and processes at once.
 */
public interface Images {

  /**
   * One line per name, sorted by name.
   *
   * @throws IOException if index.json cannot be read; a name whose content is damaged is still
   *     listed, with what could be read
   */
  List<ImageSummary> list() throws IOException;

  /**
   * Finds an image. Order: a full digest ({@code sha256:...} or 64 hex) is matched against ids and
   * manifest digests; then the text as a name; then, for a short name (no registry), the same
   * repository path and tag under any registry, as podman does ({@code alpine:3} finds {@code
   * docker.io/library/alpine:3}); then as a short id prefix.
   *
   * @throws ImageNotFoundException if nothing matches, or a short id matches several images
   * @throws IOException if the store cannot be read, or a short name matches several images
   */
  ResolvedImage resolve(String image) throws IOException;

  /**
   * The stored name {@code image} stands for when {@link #resolve} finds it by a name (the full
   * one, or the one a short name matched); null when it is found by id, or not at all.
   *
   * @throws IOException if the store cannot be read, or a short name matches several images
   */
  String nameOf(String image) throws IOException;

  /**
   * Gives the image {@code source} the name {@code newName} too (moving the name if another image
   * had it).
   *
   * @throws ImageNotFoundException if {@code source} is unknown
   * @throws IllegalArgumentException if {@code newName} is not a valid reference or has a digest
   * @throws IOException if index.json cannot be updated
   */
  ResolvedImage tag(String source, String newName) throws IOException;

  /**
   * Removes a name (rmi). Given a name, only that name goes; given an id, all its names go, which
   * needs {@code force} when there are several. When the image is left without names it is
   * deleted: its blobs are removed at once unless another image shares them or a writer is busy
   * (then {@link StorePrune} removes them later).
   *
   * @throws ImageNotFoundException if {@code image} is unknown
   * @throws ImageInUseException if a container uses the image and {@code force} is false
   * @throws IOException if the id has several names and {@code force} is false, or the store
   *     cannot be updated
   */
  RemovedImage remove(String image, boolean force) throws IOException;

  /**
   * Manifest, config and names of an image. For a multi-platform image the manifest and config
   * are those of this host's platform (null when it has none).
   *
   * @throws ImageNotFoundException if {@code image} is unknown
   * @throws IOException if its content is missing or damaged
   */
  ImageDetails inspect(String image) throws IOException;

  /**
   * Like {@link #inspect}, choosing {@code platform} from a multi-platform image; what {@code
   * run} uses.
   *
   * @throws ImageNotFoundException if {@code image} is unknown or has no manifest for {@code
   *     platform}
   * @throws IOException if its content is missing or damaged
   */
  ImageDetails forPlatform(String image, Platform platform) throws IOException;

  /**
   * The image's history, newest first (as {@code docker history}), each entry with the layer it
   * created (null for metadata-only steps).
   *
   * @throws ImageNotFoundException if {@code image} is unknown
   * @throws IOException if its content is missing or damaged
   */
  List<HistoryEntry> history(String image) throws IOException;

  /**
   * Writes an image from already-stored layers: the config (canonical JSON, OCI media type), an
   * OCI manifest over {@code layers}, and names it {@code names}. The whole write holds a lease,
   * so a concurrent prune cannot take blobs before they are named.
   *
   * @param layers layer descriptors as stored, bottom first; their count must equal the config's
   *     diff_ids
   * @throws BlobNotFoundException if a layer is not in the store
   * @throws IllegalArgumentException if a name is invalid or the counts differ
   * @throws IOException if writing fails
   */
  ResolvedImage write(ImageConfig config, List<Descriptor> layers, String... names)
      throws IOException;

  /**
   * Names an already stored manifest or index (as a transport does after copying its blobs).
   *
   * @throws BlobNotFoundException if the manifest or index blob is not in the store
   * @throws IllegalArgumentException if a name is invalid
   * @throws IOException if index.json cannot be updated
   */
  ResolvedImage name(Descriptor target, List<String> names) throws IOException;

  /** A resolved image: the descriptor of its manifest (or index) and all its names. */
  record ResolvedImage(Descriptor target, Digest id, List<String> names) {
    public ResolvedImage {
      names = List.copyOf(names);
    }

    /** The manifest's (or index's) digest. */
    public Digest digest() {
      return target.digest();
    }

    /** Whether this is a multi-platform image. */
    public boolean isIndex() {
      return MediaType.isIndex(target.mediaType());
    }
  }

  /**
   * One row of {@code images}: repository and tag of one name, the image id, when it was created
   * (RFC 3339 text from the config, or null), and its size in bytes as stored (compressed layers
   * plus config and manifest).
   */
  record ImageSummary(
      String repository, String tag, Digest id, Digest digest, String created, long size) {
    /** The full name, {@code repository:tag}. */
    public String name() {
      return repository + ":" + tag;
    }
  }

  /**
   * Everything {@code inspect} shows. {@code index} is set for a multi-platform image; {@code
   * manifest}/{@code config} are then the chosen platform's, and {@code manifestDescriptor} its
   * descriptor.
   */
  record ImageDetails(
      ResolvedImage image,
      Index index,
      Descriptor manifestDescriptor,
      Manifest manifest,
      ImageConfig config) {}

  /** One history line: the config's entry and, unless it was empty, its layer's descriptor. */
  record HistoryEntry(
      String created, String createdBy, String comment, boolean emptyLayer, Descriptor layer) {
    /** The layer's stored size, 0 for metadata-only steps. */
    public long size() {
      return layer == null ? 0 : layer.size();
    }
  }

  /**
   * What {@code rmi} did: names removed, blobs deleted (empty if left to prune), and the bytes
   * that freed (those blobs, and the extracted layers no image or container uses any more).
   */
  record RemovedImage(List<String> untagged, List<Digest> deleted, long bytesFreed) {
    public RemovedImage {
      untagged = List.copyOf(untagged);
      deleted = List.copyOf(deleted);
    }
  }
}
