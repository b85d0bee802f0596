package dev.lamina.builder.cache;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.json.JsonCodec;
import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.layerfs.oci.OciCodecs;
import java.io.IOException;

/**
 * A cache record's JSON, by hand: the bytes data binding writes for {@link CachedLayer} (fields
 * in declaration order, nulls left out), without its cost at every build's first cache lookup.
 */
final class CachedLayerCodec implements JsonCodec<CachedLayer> {
  static final CachedLayerCodec INSTANCE = new CachedLayerCodec();

  private CachedLayerCodec() {}

  @Override
  public void write(JsonWriter out, CachedLayer c) throws IOException {
    out.startObject();
    out.value("layer", c.layer(), OciCodecs.DESCRIPTOR);
    out.string("diffId", c.diffId() == null ? null : c.diffId().toString());
    out.strings("fields", c.fields());
    out.string("created", c.created());
    out.endObject();
  }

  @Override
  public CachedLayer read(JsonObject in) throws JsonFormatException {
    String diffId = in.string("diffId");
    try {
      return new CachedLayer(
          in.read("layer", OciCodecs.DESCRIPTOR),
          diffId == null ? null : Digest.parse(diffId),
          in.strings("fields"),
          in.string("created"));
    } catch (IllegalArgumentException e) {
      throw in.invalid("diffId", e.getMessage());
    }
  }
}
