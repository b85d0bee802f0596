package dev.lamina.layerfs.oci;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.digest.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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
        ContainerConfig.EMPTY.toBuilder().cmd(List.of()).labels(Map.of("b", "2", "a", "1")).build();
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
                ("{\"schemaVersion\":2,\"mediaType\":\""
                        + MediaType.OCI_MANIFEST
                        + "\",\"manifests\":[]}")
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

  private static final String CONFIG =
      "{\"mediaType\":\"" + MediaType.OCI_CONFIG + "\",\"digest\":\"" + D + "\",\"size\":1}";

  private static byte[] manifest(String layers) {
    return ("{\"schemaVersion\":2,\"config\":" + CONFIG + ",\"layers\":" + layers + "}").getBytes();
  }

  private static byte[] manifest(String extraField, String layers) {
    return ("{"
            + extraField
            + ",\"schemaVersion\":2,\"config\":"
            + CONFIG
            + ",\"layers\":"
            + layers
            + "}")
        .getBytes();
  }

  private static String layer(String digest, String size) {
    return "{\"mediaType\":\""
        + MediaType.OCI_LAYER
        + "\",\"digest\":"
        + digest
        + ",\"size\":"
        + size
        + "}";
  }

  private static final String GOOD_LAYER = layer("\"" + D + "\"", "2");

  /** The message of the IOException {@code call} throws. */
  private static String refusal(Call call) {
    return assertThrows(IOException.class, call::run).getMessage();
  }

  private interface Call {
    void run() throws IOException;
  }

  private static String manifestRefusal(String layers) {
    return refusal(() -> Json.readManifest(manifest(layers), null));
  }

  private static String configRefusal(String json) {
    return refusal(() -> Json.read(json.getBytes(), ImageConfig.class));
  }

  @Test
  void readManifest_errorsNameTheField() {
    assertEquals(
        "malformed Manifest JSON: layers[1].digest: invalid digest: sha256/x",
        manifestRefusal("[" + GOOD_LAYER + "," + layer("\"sha256/x\"", "2") + "]"));
    assertEquals(
        "malformed Manifest JSON: layers[0]: descriptor size must not be negative: -5",
        manifestRefusal("[" + layer("\"" + D + "\"", "-5") + "]"));
    assertEquals(
        "malformed Manifest JSON: layers[0].size: expected an integer",
        manifestRefusal("[" + layer("\"" + D + "\"", "[]") + "]"));
    assertEquals(
        "malformed Manifest JSON: layers[0].digest: missing",
        manifestRefusal("[" + layer("null", "1") + "]"));
    assertEquals("malformed Manifest JSON: layers: expected an array", manifestRefusal("{}"));
    assertEquals(
        "malformed Manifest JSON: layers[0]: expected an object", manifestRefusal("[null]"));
    String noMediaType =
        "{\"schemaVersion\":2,\"config\":{\"digest\":\"" + D + "\",\"size\":1},\"layers\":[]}";
    assertEquals(
        "malformed Manifest JSON: config.mediaType: missing",
        refusal(() -> Json.readManifest(noMediaType.getBytes(), null)));
  }

  @Test
  void read_errorsNameTheField() {
    assertEquals(
        "malformed ImageConfig JSON: config.Env: expected an array",
        configRefusal("{\"config\":{\"Env\":\"A=1\"}}"));
    assertEquals(
        "malformed ImageConfig JSON: config.Cmd[1]: null where a string is needed",
        configRefusal("{\"config\":{\"Cmd\":[\"a\",null]}}"));
    assertEquals(
        "malformed ImageConfig JSON: config.Healthcheck.Retries: expected a 32-bit integer",
        configRefusal("{\"config\":{\"Healthcheck\":{\"Retries\":4294967296}}}"));
    assertEquals(
        "malformed ImageConfig JSON: rootfs.diff_ids[0]: invalid sha256 digest encoding: ABC",
        configRefusal("{\"rootfs\":{\"diff_ids\":[\"sha256:ABC\"]}}"));
    assertEquals(
        "malformed ImageConfig JSON: config.ExposedPorts.80/tcp: expected an object",
        configRefusal("{\"config\":{\"ExposedPorts\":{\"80/tcp\":\"\"}}}"));
    String badData = "{\"mediaType\":\"x\",\"digest\":\"" + D + "\",\"size\":2,\"data\":\"e30=\"}";
    assertEquals(
        "malformed Descriptor JSON: descriptor data does not match its digest",
        refusal(() -> Json.read(badData.getBytes(), Descriptor.class)));
  }

  @Test
  void read_refusesHostileDocuments() {
    String deep = "{\"x\":" + "[".repeat(1000) + "]".repeat(1000) + "}";
    String m = configRefusal(deep);
    assertTrue(m.startsWith("malformed ImageConfig JSON: ") && m.contains("nesting depth"), m);
    assertTrue(refusal(() -> Json.readManifest(deep.getBytes(), null)).contains("nesting depth"));
    assertEquals(
        "malformed ImageConfig JSON: trailing content after the JSON object",
        configRefusal("{\"os\":\"linux\"} {\"os\":\"windows\"}"));
    byte[] trailing = (new String(manifest("[]")) + "garbage").getBytes();
    assertEquals(
        "malformed Manifest JSON: trailing content after the JSON object",
        refusal(() -> Json.readManifest(trailing, null)));
    assertEquals(
        "malformed Index JSON: trailing content after the JSON object",
        refusal(() -> Json.readIndex("{\"schemaVersion\":2,\"manifests\":[]}]".getBytes(), null)));
    for (String notAnObject : List.of("null", "[]", "\"x\"", "", "2")) {
      assertEquals(
          "malformed ImageConfig JSON: not a JSON object", configRefusal(notAnObject), notAnObject);
    }
    byte[] badUtf8 = {'{', '"', 'a', '"', ':', '"', (byte) 0xc3, '"', '}'};
    assertTrue(
        refusal(() -> Json.read(badUtf8, ImageConfig.class))
            .startsWith("malformed ImageConfig JSON: "));
    assertTrue(
        refusal(() -> Json.readIndex("{\"schemaVersion\":2,".getBytes(), null))
            .startsWith("malformed Index JSON: "));
  }

  @Test
  void read_capsTheDocumentAtFourMiB() throws IOException {
    String index = "{\"schemaVersion\":2,\"manifests\":[]}";
    byte[] atCap = Arrays.copyOf(index.getBytes(), Json.MAX_METADATA_BYTES);
    Arrays.fill(atCap, index.length(), atCap.length, (byte) ' ');
    assertEquals(new Index(2, null, null, List.of(), null, null), Json.readIndex(atCap, null));
    byte[] over = Arrays.copyOf(atCap, Json.MAX_METADATA_BYTES + 1);
    over[over.length - 1] = ' ';
    String refused = "metadata larger than 4194304 bytes refused";
    assertEquals(refused, refusal(() -> Json.readIndex(over, null)));
    assertEquals(refused, refusal(() -> Json.readManifest(over, null)));
    assertEquals(refused, refusal(() -> Json.read(over, Index.class)));
    assertEquals(refused, refusal(() -> Json.readObject(over)));
  }

  @Test
  void ambiguity_isRefusedEvenForANullField() {
    assertEquals(
        "ambiguous manifest: it has a manifests field, like an index",
        refusal(() -> Json.readManifest(manifest("\"manifests\":null", "[]"), null)));
    assertEquals(
        "ambiguous index: it has config or layers, like a manifest",
        refusal(
            () ->
                Json.readIndex(
                    "{\"schemaVersion\":2,\"manifests\":[],\"layers\":null}".getBytes(), null)));
    assertEquals(
        "ambiguous index: it has config or layers, like a manifest",
        refusal(() -> Json.readIndex(manifest("[]"), MediaType.OCI_INDEX)));
    assertEquals(
        "manifest has no config descriptor",
        refusal(
            () ->
                Json.readManifest(
                    "{\"schemaVersion\":2,\"config\":\"x\",\"layers\":[]}".getBytes(), null)));
    assertEquals(
        "manifest has no config descriptor",
        refusal(() -> Json.readManifest("{\"schemaVersion\":2,\"layers\":[]}".getBytes(), null)));
  }

  @Test
  void mediaTypeAndSchemaVersion_areChecked() throws IOException {
    byte[] docker = manifest("\"mediaType\":\"" + MediaType.DOCKER_MANIFEST + "\"", "[]");
    assertEquals(
        "media type mismatch: descriptor says "
            + MediaType.OCI_MANIFEST
            + ", document says "
            + MediaType.DOCKER_MANIFEST,
        refusal(() -> Json.readManifest(docker, MediaType.OCI_MANIFEST)));
    byte[] v1 =
        new String(manifest("[]")).replace("\"schemaVersion\":2", "\"schemaVersion\":1").getBytes();
    assertEquals(
        "unsupported manifest schemaVersion 1", refusal(() -> Json.readManifest(v1, null)));
    assertEquals(
        "unsupported index schemaVersion 0",
        refusal(() -> Json.readIndex("{\"manifests\":[]}".getBytes(), null)));
    // A document without a mediaType takes the descriptor's; a non-text one is not compared.
    assertEquals(
        MediaType.DOCKER_MANIFEST,
        Json.readManifest(manifest("[]"), MediaType.DOCKER_MANIFEST).mediaType());
    assertNull(Json.readManifest(manifest("[]"), null).mediaType());
    byte[] numeric = "{\"schemaVersion\":2,\"mediaType\":7}".getBytes();
    assertEquals("7", Json.readIndex(numeric, MediaType.OCI_INDEX).mediaType());
  }

  @Test
  void readObject_parsesWithoutTypes() throws IOException {
    byte[] layout = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes();
    assertEquals("1.0.0", Json.readObject(layout).string("imageLayoutVersion"));
    assertEquals(
        "malformed JSON: not a JSON object", refusal(() -> Json.readObject("[]".getBytes())));
  }

  @Test
  void otherTypes_stillGoThroughDataBinding() throws IOException {
    assertEquals(
        "{\"a\":1,\"b\":[true]}",
        new String(Json.toBytes(Map.of("b", List.of(true), "a", 1)), StandardCharsets.UTF_8));
    assertEquals(List.of(1, 2), Json.read("[1,2]".getBytes(), List.class));
    assertTrue(
        refusal(() -> Json.read("[1,".getBytes(), List.class)).startsWith("malformed List JSON: "));
  }
}
