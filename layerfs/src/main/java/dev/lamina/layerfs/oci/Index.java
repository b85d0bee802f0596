package dev.lamina.layerfs.oci;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * An image index (OCI {@code image-index.md}) or a Docker manifest list. {@code manifests} is
 * required, so it is written even when empty.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Index(
    int schemaVersion,
    String mediaType,
    String artifactType,
    @JsonInclude(JsonInclude.Include.ALWAYS) List<Descriptor> manifests,
    Descriptor subject,
    Map<String, String> annotations) {

  public Index {
    manifests = manifests == null ? List.of() : List.copyOf(manifests);
    annotations = annotations == null ? Map.of() : new TreeMap<>(annotations);
  }

  /** An OCI index of {@code manifests}. */
  public static Index of(List<Descriptor> manifests) {
    return new Index(2, MediaType.OCI_INDEX, null, manifests, null, null);
  }

  /** A copy with other manifests. */
  public Index withManifests(List<Descriptor> next) {
    return new Index(schemaVersion, mediaType, artifactType, next, subject, annotations);
  }
}
