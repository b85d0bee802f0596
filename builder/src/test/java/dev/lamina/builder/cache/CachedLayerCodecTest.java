package dev.lamina.builder.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.oci.MediaType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Cache records: the bytes data binding writes, and the records it reads. */
class CachedLayerCodecTest {
  static List<CachedLayer> records() {
    Digest d = Digest.sha256("layer");
    Descriptor blob =
        new Descriptor(MediaType.OCI_LAYER_GZIP, d, 42, null, Map.of("k", "v"), null, null, null);
    return List.of(
        new CachedLayer(blob, Digest.sha256("tar"), List.of("COPY", "parent x", "ü \"q\""),
            "2026-11-28T10:00:00Z"),
        new CachedLayer(Descriptor.of(MediaType.OCI_LAYER, d, 0), d, List.of(), null),
        new CachedLayer(null, null, List.of("WORKDIR", "/app"), null),
        new CachedLayer(null, null, null, "2026-01-01T00:00:00Z"));
  }

  @ParameterizedTest
  @MethodSource("records")
  void write_isWhatDataBindingWrites_andReadsBack(CachedLayer c) throws IOException {
    byte[] ours = JsonWriter.toBytes(c, CachedLayerCodec.INSTANCE);
    assertArrayEquals(Json.mapper().writeValueAsBytes(c), ours,
        () -> new String(ours, StandardCharsets.UTF_8));
    assertEquals(c, JsonObject.read(ours, CachedLayerCodec.INSTANCE));
    assertEquals(Json.mapper().readValue(ours, CachedLayer.class),
        JsonObject.read(ours, CachedLayerCodec.INSTANCE));
  }

  @Test
  void read_badDiffId_orHalfARecord_isRefused() {
    assertThrows(IOException.class, () -> JsonObject.read(
        "{\"diffId\":\"sha256:nope\"}".getBytes(StandardCharsets.UTF_8), CachedLayerCodec.INSTANCE));
    String onlyBlob = "{\"layer\":{\"mediaType\":\"" + MediaType.OCI_LAYER + "\",\"digest\":\""
        + Digest.sha256("x") + "\",\"size\":1}}";
    assertThrows(IOException.class, () -> JsonObject.read(
        onlyBlob.getBytes(StandardCharsets.UTF_8), CachedLayerCodec.INSTANCE));
  }
}
