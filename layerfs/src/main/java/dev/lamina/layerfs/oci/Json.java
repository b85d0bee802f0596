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
import dev.lamina.layerfs.json.JsonCodec;
import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The one place JSON is read and written. Writing is canonical: record fields in declaration order,
 * map keys sorted, no whitespace, so the same value always has the same bytes and digest. Reading
 * is capped ({@link #MAX_METADATA_BYTES}) because manifests and configs come from untrusted sources
 * (CVE-2020-1702, CVE-2023-25153).
 *
 * <p>The OCI model ({@link OciCodecs}) is read and written by hand-written codecs; other types, and
 * trees, go through Jackson's data binding, whose mapper is created on first use: creating it and
 * introspecting the records would cost a short command ({@code run --rm IMAGE true}) more than the
 * rest of its own work. The codecs read what data binding reads, but refuse anything after the
 * document other than white space, and a document that is not an object ({@code null}).
 */
public final class Json {
  /** Largest manifest, index or config Lamina will read: 4 MiB, as containers/image. */
  public static final int MAX_METADATA_BYTES = 4 * 1024 * 1024;

  private Json() {}

  /**
   * Jackson's data binding, set up on first use. Its own class, so that loading {@link Json} loads
   * none of it: the serializers below are checked against data binding's types when their class is
   * verified.
   */
  private static final class Databind {
    static final ObjectMapper MAPPER = createMapper();

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
            public Digest deserialize(JsonParser p, DeserializationContext ctxt)
                throws IOException {
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
  }

  /** The shared, configured mapper (thread-safe). */
  public static ObjectMapper mapper() {
    return Databind.MAPPER;
  }

  /** Canonical bytes of {@code value}. */
  public static byte[] toBytes(Object value) {
    if (value != null) {
      byte[] bytes = writeOci(value);
      if (bytes != null) {
        return bytes;
      }
    }
    try {
      return mapper().writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The bytes of {@code value} if it is of the OCI model, else null. */
  @SuppressWarnings("unchecked")
  private static <T> byte[] writeOci(T value) {
    JsonCodec<T> codec = (JsonCodec<T>) OciCodecs.of(value.getClass());
    return codec == null ? null : JsonWriter.toBytes(value, codec);
  }

  /** Indented text of {@code value}, for people (inspect). */
  public static String toPrettyString(Object value) {
    try {
      return mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value);
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
    JsonCodec<T> codec = OciCodecs.of(type);
    if (codec != null) {
      return decode(parse(bytes, type), codec, type);
    }
    checkCap(bytes);
    try {
      return mapper().readValue(bytes, type);
    } catch (JsonProcessingException e) {
      throw new IOException("malformed " + type.getSimpleName() + " JSON: " + firstLine(e), e);
    }
  }

  /** Parses a tree, capped. */
  public static JsonNode readTree(byte[] bytes) throws IOException {
    checkCap(bytes);
    try {
      return mapper().readTree(bytes);
    } catch (JsonProcessingException e) {
      throw new IOException("malformed JSON: " + firstLine(e), e);
    }
  }

  /** Parses one JSON object, capped, without data binding. */
  public static JsonObject readObject(byte[] bytes) throws IOException {
    return parse(bytes, null);
  }

  /** {@code bytes} parsed, capped; errors say they are about a {@code type} if not null. */
  private static JsonObject parse(byte[] bytes, Class<?> type) throws IOException {
    checkCap(bytes);
    try {
      return JsonObject.parse(bytes);
    } catch (IOException e) {
      throw malformed(type, e);
    }
  }

  private static <T> T decode(JsonObject in, JsonCodec<T> codec, Class<T> type) throws IOException {
    try {
      return codec.read(in);
    } catch (JsonFormatException e) {
      throw malformed(type, e);
    }
  }

  private static IOException malformed(Class<?> type, IOException e) {
    String what =
        type == null ? "malformed JSON: " : "malformed " + type.getSimpleName() + " JSON: ";
    return new IOException(what + e.getMessage(), e);
  }

  private static void checkCap(byte[] bytes) throws IOException {
    if (bytes.length > MAX_METADATA_BYTES) {
      throw new IOException("metadata larger than " + MAX_METADATA_BYTES + " bytes refused");
    }
  }

  /**
   * Parses an image manifest, refusing a document that also looks like an index (CVE-2021-41190) or
   * whose own mediaType contradicts {@code expectedMediaType} (when that is not null).
   */
  public static Manifest readManifest(byte[] bytes, String expectedMediaType) throws IOException {
    JsonObject in = parse(bytes, Manifest.class);
    // Present at all, even as null, makes it ambiguous: another reader may take it for an index.
    if (in.names().contains("manifests")) {
      throw new IOException("ambiguous manifest: it has a manifests field, like an index");
    }
    if (!in.isObject("config")) {
      throw new IOException("manifest has no config descriptor");
    }
    checkMediaType(in, expectedMediaType);
    Manifest m = decode(in, OciCodecs.MANIFEST, Manifest.class);
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
    JsonObject in = parse(bytes, Index.class);
    if (in.names().contains("config") || in.names().contains("layers")) {
      throw new IOException("ambiguous index: it has config or layers, like a manifest");
    }
    checkMediaType(in, expectedMediaType);
    Index index = decode(in, OciCodecs.INDEX, Index.class);
    if (index.schemaVersion() != 2) {
      throw new IOException("unsupported index schemaVersion " + index.schemaVersion());
    }
    return index;
  }

  private static void checkMediaType(JsonObject in, String expected) throws IOException {
    if (expected != null && in.raw("mediaType") instanceof String own && !own.equals(expected)) {
      throw new IOException(
          "media type mismatch: descriptor says " + expected + ", document says " + own);
    }
  }

  private static String firstLine(Exception e) {
    String m = String.valueOf(e.getMessage());
    int nl = m.indexOf('\n');
    return nl < 0 ? m : m.substring(0, nl);
  }
}
