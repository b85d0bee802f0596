package dev.lamina.layerfs.oci;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An image manifest: OCI {@code image-manifest.md}, or Docker schema 2 (same shape, other media
 * types). A manifest must have a config and layers (written even when empty: the field is required); {@code manifests} is refused here by {@link
 * Json#readManifest} (CVE-2021-41190).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Manifest(
    int schemaVersion,
    String mediaType,
    String artifactType,
    Descriptor config,
    @JsonInclude(JsonInclude.Include.ALWAYS) List<Descriptor> layers,
    Descriptor subject,
    Map<String, String> annotations) {

  public Manifest {
    Objects.requireNonNull(config, "manifest config");
    layers = layers == null ? List.of() : List.copyOf(layers);
    annotations = annotations == null ? Map.of() : new TreeMap<>(annotations);
  }

  /** An OCI manifest for {@code config} and {@code layers}. */
  public static Manifest oci(Descriptor config, List<Descriptor> layers) {
    return new Manifest(2, MediaType.OCI_MANIFEST, null, config, layers, null, null);
  }

  /** Whether this manifest uses Docker schema 2 media types. */
  @JsonIgnore
  public boolean isDocker() {
    return MediaType.DOCKER_MANIFEST.equals(mediaType);
  }
}
