package dev.lamina.layerfs.oci;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.lamina.layerfs.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The one place JSON is read and written. Writing is canonical: record fields in declaration order,
 * map keys sorted, no whitespace, so the same value always has the same bytes and digest. Reading
 * is capped ({@link #MAX_METADATA_BYTES}) because manifests and configs come from untrusted
 * sources (CVE-2020-1702, CVE-2023-25153).
 */
public final class Json {
  /** Largest manifest, index or config Lamina will read: 4 MiB, as containers/image. */
  public static final int MAX_METADATA_BYTES = 4 * 1024 * 1024;

  private static final ObjectMapper MAPPER = createMapper();

  private Json() {}

  private static ObjectMapper createMapper() {
    SimpleModule digests = new SimpleModule("lamina-digest");
    digests.addSerializer(
        Digest.class,
        new StdSerializer<>(Digest.class) {
          @Override
          public void serialize(Digest value, JsonGenerator gen, SerializerProvider provider)
              throws IOException {
            gen.writeString(value.toString());
          }
        });
    digests.addDeserializer(
        Digest.class,
        new StdDeserializer<>(Digest.class) {
          @Override
          public Digest deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String text = p.getValueAsString();
            try {
              return Digest.parse(text);
            } catch (IllegalArgumentException e) {
              throw ctxt.weirdStringException(text, Digest.class, e.getMessage());
            }
          }
        });
    JsonMapper mapper =
        JsonMapper.builder()
            .addModule(digests)
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true)
            .configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false)
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
            .configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, false)
            .build();
    mapper
        .getFactory()
        .setStreamReadConstraints(
            StreamReadConstraints.builder()
                .maxDocumentLength(MAX_METADATA_BYTES)
                .maxNestingDepth(200)
                .build());
    return mapper;
  }

  /** The shared, configured mapper (thread-safe). */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /** Canonical bytes of {@code value}. */
  public static byte[] toBytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Indented text of {@code value}, for people (inspect). */
  public static String toPrettyString(Object value) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Reads at most {@link #MAX_METADATA_BYTES} from {@code in}.
   *
   * @throws IOException if the stream is longer than the cap
   */
  public static byte[] readCapped(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(MAX_METADATA_BYTES + 1);
    if (bytes.length > MAX_METADATA_BYTES) {
      throw new IOException("metadata larger than " + MAX_METADATA_BYTES + " bytes refused");
    }
    return bytes;
  }

  /** Parses {@code bytes} as {@code type}. */
  public static <T> T read(byte[] bytes, Class<T> type) throws IOException {
    if (bytes.length > MAX_METADATA_BYTES) {
      throw new IOException("metadata larger than " + MAX_METADATA_BYTES + " bytes refused");
    }
    try {
      return MAPPER.readValue(bytes, type);
    } catch (JsonProcessingException e) {
      throw new IOException("malformed " + type.getSimpleName() + " JSON: " + firstLine(e), e);
    }
  }

  /** Parses a tree, capped. */
  public static JsonNode readTree(byte[] bytes) throws IOException {
    if (bytes.length > MAX_METADATA_BYTES) {
      throw new IOException("metadata larger than " + MAX_METADATA_BYTES + " bytes refused");
    }
    try {
      return MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new IOException("malformed JSON: " + firstLine(e), e);
    }
  }

  /**
   * Parses an image manifest, refusing a document that also looks like an index (CVE-2021-41190)
   * or whose own mediaType contradicts {@code expectedMediaType} (when that is not null).
   */
  public static Manifest readManifest(byte[] bytes, String expectedMediaType) throws IOException {
    JsonNode tree = readTree(bytes);
    if (!tree.isObject()) {
      throw new IOException("manifest is not a JSON object");
    }
    if (tree.has("manifests")) {
      throw new IOException("ambiguous manifest: it has a manifests field, like an index");
    }
    if (!tree.has("config") || !tree.get("config").isObject()) {
      throw new IOException("manifest has no config descriptor");
    }
    checkMediaType(tree, expectedMediaType);
    Manifest m = read(bytes, Manifest.class);
    if (m.schemaVersion() != 2) {
      throw new IOException("unsupported manifest schemaVersion " + m.schemaVersion());
    }
    if (m.mediaType() == null && expectedMediaType != null) {
      m =
          new Manifest(
              m.schemaVersion(),
              expectedMediaType,
              m.artifactType(),
              m.config(),
              m.layers(),
              m.subject(),
              m.annotations());
    }
    return m;
  }

  /** Parses an index or manifest list, refusing one that carries config or layers. */
  public static Index readIndex(byte[] bytes, String expectedMediaType) throws IOException {
    JsonNode tree = readTree(bytes);
    if (!tree.isObject()) {
      throw new IOException("index is not a JSON object");
    }
    if (tree.has("config") || tree.has("layers")) {
      throw new IOException("ambiguous index: it has config or layers, like a manifest");
    }
    checkMediaType(tree, expectedMediaType);
    Index index = read(bytes, Index.class);
    if (index.schemaVersion() != 2) {
      throw new IOException("unsupported index schemaVersion " + index.schemaVersion());
    }
    return index;
  }

  private static void checkMediaType(JsonNode tree, String expected) throws IOException {
    JsonNode own = tree.get("mediaType");
    if (expected != null && own != null && own.isTextual() && !own.asText().equals(expected)) {
      throw new IOException(
          "media type mismatch: descriptor says " + expected + ", document says " + own.asText());
    }
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
