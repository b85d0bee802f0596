package dev.lamina.builder.cache;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.Descriptor;
import java.util.List;
import java.util.Objects;

/**
 * What a cached step produced: the layer blob it wrote, or nothing for a step that only records
 * its key (the record of a step whose output is not a layer).
 *
 * @param layer the layer blob as stored
 * @param diffId the digest of the uncompressed layer tar
 * @param fields the key's fields, kept for {@code --explain-cache}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CachedLayer(
    @JsonProperty("layer") Descriptor layer,
    @JsonProperty("diffId") Digest diffId,
    @JsonProperty("fields") List<String> fields) {
  public CachedLayer {
    Objects.requireNonNull(layer, "layer");
    Objects.requireNonNull(diffId, "diffId");
    fields = fields == null ? List.of() : List.copyOf(fields);
  }
}
