package dev.lamina.layerfs.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.lamina.layerfs.digest.Digest;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A content descriptor (image-spec {@code descriptor.md}): what a blob is, its digest and size.
 * Sizes are never negative; annotations are kept sorted so serialisation is canonical.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Descriptor(
    String mediaType,
    Digest digest,
    long size,
    List<String> urls,
    Map<String, String> annotations,
    byte[] data,
    Platform platform,
    String artifactType) {

  /** The annotation that names an image in an OCI layout's index.json. */
  public static final String REF_NAME = "org.opencontainers.image.ref.name";

  public Descriptor {
    Objects.requireNonNull(mediaType, "mediaType");
    Objects.requireNonNull(digest, "digest");
    if (size < 0) {
      throw new IllegalArgumentException("descriptor size must not be negative: " + size);
    }
    urls = urls == null ? List.of() : List.copyOf(urls);
    annotations = annotations == null ? Map.of() : new TreeMap<>(annotations);
    if (data != null) {
      if (data.length != size) {
        throw new IllegalArgumentException("descriptor data length differs from its size");
      }
      if (!Digest.of(digest.algorithm(), data, 0, data.length).equals(digest)) {
        throw new IllegalArgumentException("descriptor data does not match its digest");
      }
    }
  }

  public static Descriptor of(String mediaType, Digest digest, long size) {
    return new Descriptor(mediaType, digest, size, null, null, null, null, null);
  }

  /** The value of {@code key} among the annotations, or null. */
  public String annotation(String key) {
    return annotations.get(key);
  }

  /** A copy with {@code key} set to {@code value} (removed when value is null). */
  public Descriptor withAnnotation(String key, String value) {
    Map<String, String> next = new TreeMap<>(annotations);
    if (value == null) {
      next.remove(key);
    } else {
      next.put(key, value);
    }
    return new Descriptor(mediaType, digest, size, urls, next, data, platform, artifactType);
  }

  /** A copy with no annotations. */
  public Descriptor withoutAnnotations() {
    return new Descriptor(mediaType, digest, size, urls, null, data, platform, artifactType);
  }

  public Descriptor withPlatform(Platform p) {
    return new Descriptor(mediaType, digest, size, urls, annotations, data, p, artifactType);
  }

  public Descriptor withMediaType(String type) {
    return new Descriptor(type, digest, size, urls, annotations, data, platform, artifactType);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Descriptor d
        && mediaType.equals(d.mediaType)
        && digest.equals(d.digest)
        && size == d.size
        && urls.equals(d.urls)
        && annotations.equals(d.annotations)
        && java.util.Arrays.equals(data, d.data)
        && Objects.equals(platform, d.platform)
        && Objects.equals(artifactType, d.artifactType);
  }

  @Override
  public int hashCode() {
    return Objects.hash(mediaType, digest, size);
  }
}
