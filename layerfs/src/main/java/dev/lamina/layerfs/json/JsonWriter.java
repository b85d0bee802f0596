package dev.lamina.layerfs.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes compact JSON for {@link JsonCodec}s. Field methods taking an object write nothing for
 * null; maps are written with their keys sorted, so output is canonical whatever map was given.
 */
public final class JsonWriter {
  private static final JsonFactory FACTORY = new JsonFactory();

  private final JsonGenerator gen;

  private JsonWriter(JsonGenerator gen) {
    this.gen = gen;
  }

  /** The compact bytes of {@code value}. */
  public static <T> byte[] toBytes(T value, JsonCodec<T> codec) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(512);
    try (JsonGenerator g = FACTORY.createGenerator(bytes)) {
      codec.write(new JsonWriter(g), value);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public JsonWriter startObject() throws IOException {
    gen.writeStartObject();
    return this;
  }

  public JsonWriter endObject() throws IOException {
    gen.writeEndObject();
    return this;
  }

  /**
   * An explicit {@code null}, for the fields of a type that does not leave absent values out
   * (Jackson's default inclusion).
   */
  public JsonWriter nullField(String name) throws IOException {
    gen.writeNullField(name);
    return this;
  }

  public JsonWriter string(String name, String value) throws IOException {
    if (value != null) {
      gen.writeStringField(name, value);
    }
    return this;
  }

  public JsonWriter number(String name, long value) throws IOException {
    gen.writeNumberField(name, value);
    return this;
  }

  public JsonWriter number(String name, Long value) throws IOException {
    if (value != null) {
      gen.writeNumberField(name, value.longValue());
    }
    return this;
  }

  public JsonWriter number(String name, Integer value) throws IOException {
    if (value != null) {
      gen.writeNumberField(name, value.intValue());
    }
    return this;
  }

  public JsonWriter bool(String name, boolean value) throws IOException {
    gen.writeBooleanField(name, value);
    return this;
  }

  public JsonWriter bool(String name, Boolean value) throws IOException {
    if (value != null) {
      gen.writeBooleanField(name, value.booleanValue());
    }
    return this;
  }

  /** Base64 (standard alphabet, padded), as Jackson writes {@code byte[]}. */
  public JsonWriter binary(String name, byte[] value) throws IOException {
    if (value != null) {
      gen.writeFieldName(name);
      gen.writeBinary(value);
    }
    return this;
  }

  public JsonWriter strings(String name, List<String> values) throws IOException {
    if (values != null) {
      gen.writeArrayFieldStart(name);
      for (String v : values) {
        gen.writeString(v);
      }
      gen.writeEndArray();
    }
    return this;
  }

  public JsonWriter numbers(String name, List<? extends Number> values) throws IOException {
    if (values != null) {
      gen.writeArrayFieldStart(name);
      for (Number v : values) {
        gen.writeNumber(v.longValue());
      }
      gen.writeEndArray();
    }
    return this;
  }

  /** A map of strings, keys sorted. */
  public JsonWriter stringMap(String name, Map<String, String> values) throws IOException {
    if (values != null) {
      gen.writeObjectFieldStart(name);
      for (Map.Entry<String, String> e : sorted(values).entrySet()) {
        gen.writeStringField(e.getKey(), e.getValue());
      }
      gen.writeEndObject();
    }
    return this;
  }

  public <T> JsonWriter value(String name, T value, JsonCodec<T> codec) throws IOException {
    if (value != null) {
      gen.writeFieldName(name);
      codec.write(this, value);
    }
    return this;
  }

  public <T> JsonWriter list(String name, List<T> values, JsonCodec<T> codec) throws IOException {
    if (values != null) {
      gen.writeArrayFieldStart(name);
      for (T v : values) {
        codec.write(this, v);
      }
      gen.writeEndArray();
    }
    return this;
  }

  /**
   * An untyped value as {@link JsonObject#raw} reads it: maps (keys sorted), lists, strings,
   * numbers, booleans and null.
   */
  public JsonWriter raw(String name, Object value) throws IOException {
    if (value != null) {
      gen.writeFieldName(name);
      raw(value);
    }
    return this;
  }

  private void raw(Object value) throws IOException {
    if (value == null) {
      gen.writeNull();
    } else if (value instanceof String s) {
      gen.writeString(s);
    } else if (value instanceof Boolean b) {
      gen.writeBoolean(b);
    } else if (value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte) {
      gen.writeNumber(((Number) value).longValue());
    } else if (value instanceof Float f) {
      gen.writeNumber(f);
    } else if (value instanceof java.math.BigInteger i) {
      gen.writeNumber(i);
    } else if (value instanceof java.math.BigDecimal d) {
      gen.writeNumber(d);
    } else if (value instanceof Double d) {
      gen.writeNumber(d);
    } else if (value instanceof Map<?, ?> m) {
      gen.writeStartObject();
      for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) {
        gen.writeFieldName(String.valueOf(e.getKey()));
        raw(e.getValue());
      }
      gen.writeEndObject();
    } else if (value instanceof List<?> l) {
      gen.writeStartArray();
      for (Object o : l) {
        raw(o);
      }
      gen.writeEndArray();
    } else {
      throw new IllegalArgumentException("no JSON form for " + value.getClass().getName());
    }
  }

  private static <V> Map<String, V> sorted(Map<String, V> m) {
    return m instanceof TreeMap<String, V> t && t.comparator() == null ? t : new TreeMap<>(m);
  }
}
