package dev.lamina.layerfs.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.digest.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  private static final Digest D = Digest.sha256("x");

  @Test
  void manifest_roundTripsCanonically() throws IOException {
    Manifest m =
        Manifest.oci(
            Descriptor.of(MediaType.OCI_CONFIG, D, 1),
            List.of(Descriptor.of(MediaType.OCI_LAYER, D, 2)));
    byte[] bytes = Json.toBytes(m);
    Manifest back = Json.readManifest(bytes, MediaType.OCI_MANIFEST);
    assertEquals(m, back);
    assertArrayEquals(bytes, Json.toBytes(back));
    String text = new String(bytes, StandardCharsets.UTF_8);
    assertTrue(text.startsWith("{\"schemaVersion\":2,\"mediaType\":"), text);
    assertTrue(!text.contains("docker"), text);
  }

  @Test
  void config_keepsNullVersusEmptyCmdAndSortsMaps() throws IOException {
    ContainerConfig c =
        ContainerConfig.EMPTY.toBuilder()
            .cmd(List.of())
            .labels(Map.of("b", "2", "a", "1"))
            .build();
    ImageConfig config = ImageConfig.empty("2026-01-01T00:00:00Z").withConfig(c);
    String text = new String(Json.toBytes(config), StandardCharsets.UTF_8);
    assertTrue(text.contains("\"Cmd\":[]"), text);
    assertTrue(!text.contains("Entrypoint"), text);
    assertTrue(text.contains("{\"a\":\"1\",\"b\":\"2\"}"), text);
    assertEquals(config, Json.read(Json.toBytes(config), ImageConfig.class));
  }

  @Test
  void readManifest_refusesIndexLookalike() {
    String bad =
        "{\"schemaVersion\":2,\"manifests\":[],\"config\":{\"mediaType\":\"x\",\"digest\":\""
            + D
            + "\",\"size\":1}}";
    assertThrows(IOException.class, () -> Json.readManifest(bad.getBytes(), null));
  }

  @Test
  void readIndex_refusesManifestLookalikeAndMediaTypeMismatch() {
    assertThrows(
        IOException.class,
        () -> Json.readIndex("{\"schemaVersion\":2,\"layers\":[]}".getBytes(), null));
    assertThrows(
        IOException.class,
        () ->
            Json.readIndex(
                ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaType.OCI_MANIFEST + "\",\"manifests\":[]}")
                    .getBytes(),
                MediaType.OCI_INDEX));
  }

  @Test
  void descriptor_refusesBadDigestAndNegativeSize() {
    assertThrows(
        IOException.class,
        () ->
            Json.read(
                "{\"mediaType\":\"x\",\"digest\":\"sha256:../../x\",\"size\":1}".getBytes(),
                Descriptor.class));
    assertThrows(
        IOException.class,
        () ->
            Json.read(
                ("{\"mediaType\":\"x\",\"digest\":\"" + D + "\",\"size\":-1}").getBytes(),
                Descriptor.class));
  }

  @Test
  void read_refusesMoreThanTheCap() {
    byte[] big = new byte[Json.MAX_METADATA_BYTES + 1];
    assertThrows(IOException.class, () -> Json.read(big, ImageConfig.class));
  }

  @Test
  void dockerSchema2_readsAsManifest() throws IOException {
    String doc =
        "{\"schemaVersion\":2,\"mediaType\":\""
            + MediaType.DOCKER_MANIFEST
            + "\",\"config\":{\"mediaType\":\""
            + MediaType.DOCKER_CONFIG
            + "\",\"size\":1,\"digest\":\""
            + D
            + "\"},\"layers\":[{\"mediaType\":\""
            + MediaType.DOCKER_LAYER_GZIP
            + "\",\"size\":2,\"digest\":\""
            + D
            + "\"}]}";
    Manifest m = Json.readManifest(doc.getBytes(), MediaType.DOCKER_MANIFEST);
    assertTrue(m.isDocker());
    assertEquals(1, m.layers().size());
  }

  @Test
  void requiredEmptyArrays_areWritten() {
    String index = new String(Json.toBytes(Index.of(List.of())), StandardCharsets.UTF_8);
    assertTrue(index.contains("\"manifests\":[]"), index);
    String manifest =
        new String(
            Json.toBytes(Manifest.oci(Descriptor.of(MediaType.OCI_CONFIG, D, 1), List.of())),
            StandardCharsets.UTF_8);
    assertTrue(manifest.contains("\"layers\":[]"), manifest);
  }
}
