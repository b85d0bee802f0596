package dev.lamina.builder.cache;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.Descriptor;
import java.util.List;

/**
 * What a cached step produced: the layer blob it wrote, or no layer at all (a WORKDIR whose
 * directory existed).
 *
 * @param layer the layer blob as stored, or null when the step added no layer
 * @param diffId the digest of the uncompressed layer tar, or null likewise
 * @param fields the key's fields, kept for {@code --explain-cache}
 * @param created when the step first made the layer (RFC 3339); null in records written before
 *     this was kept
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CachedLayer(
    @JsonProperty("layer") Descriptor layer,
    @JsonProperty("diffId") Digest diffId,
    @JsonProperty("fields") List<String> fields,
    @JsonProperty("created") String created) {
  public CachedLayer {
    if ((layer == null) != (diffId == null)) {
      throw new IllegalArgumentException("a cached layer needs both its blob and its diff_id");
    }
    fields = fields == null ? List.of() : List.copyOf(fields);
  }
}
