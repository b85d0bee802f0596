package dev.lamina.layerfs.json;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed JSON object, read field by field by {@link JsonCodec}s. Absent fields and JSON nulls
 * read alike, as null (or the given default). Scalars are coerced to the asked type the way
 * Jackson's data binding does (a number where a string is wanted is its text; a string of digits
 * where a number is wanted is that number); anything else of the wrong type is an error naming
 * the field's path.
 */
public final class JsonObject {
  /** The deepest nesting accepted: manifests and configs come from untrusted sources. */
  private static final int MAX_DEPTH = 200;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
          .build();

  private final String path;
  private final Map<String, Object> fields;

  private JsonObject(String path, Map<String, Object> fields) {
    this.path = path;
    this.fields = fields;
  }

  /**
   * Parses {@code bytes}, which must hold one JSON object and nothing after it.
   *
   * @throws IOException when the text is not JSON, or not an object ({@link JsonFormatException})
   */
  public static JsonObject parse(byte[] bytes) throws IOException {
    try (JsonParser p = FACTORY.createParser(bytes)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw new JsonFormatException("not a JSON object");
      }
      Object value = value(p, first);
      if (p.nextToken() != null) {
        throw new JsonFormatException("trailing content after the JSON object");
      }
      return new JsonObject("", cast(value));
    } catch (JsonProcessingException e) {
      throw new IOException(firstLine(e.getOriginalMessage()), e);
    }
  }

  /** Reads {@code bytes} as one value of {@code codec}'s type. */
  public static <T> T read(byte[] bytes, JsonCodec<T> codec) throws IOException {
    return codec.read(parse(bytes));
  }

  private static Object value(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT:
        Map<String, Object> m = new LinkedHashMap<>();
        for (JsonToken n = p.nextToken(); n != JsonToken.END_OBJECT; n = p.nextToken()) {
          String name = p.currentName();
          // A repeated name: the last value wins, as with Jackson's data binding.
          m.put(name, value(p, p.nextToken()));
        }
        return m;
      case START_ARRAY:
        List<Object> l = new ArrayList<>();
        for (JsonToken n = p.nextToken(); n != JsonToken.END_ARRAY; n = p.nextToken()) {
          l.add(value(p, n));
        }
        return l;
      case VALUE_STRING:
        return p.getText();
      case VALUE_NUMBER_INT:
        return p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            ? p.getBigIntegerValue()
            : p.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return p.getDecimalValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new JsonFormatException("unexpected JSON token " + t);
    }
  }

  /** Whether the field is present and not null. */
  public boolean has(String name) {
    return fields.get(name) != null;
  }

  /** The field names, in document order. */
  public java.util.Set<String> names() {
    return Collections.unmodifiableSet(fields.keySet());
  }

  public String string(String name) throws JsonFormatException {
    return asString(fields.get(name), name);
  }

  public Long longOrNull(String name) throws JsonFormatException {
    Object v = fields.get(name);
    if (v == null) {
      return null;
    }
    if (v instanceof Long l) {
      return l;
    }
    if (v instanceof String s) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        throw wrong(name, "an integer");
      }
    }
    throw wrong(name, "an integer");
  }

  public long longValue(String name, long absent) throws JsonFormatException {
    Long v = longOrNull(name);
    return v == null ? absent : v;
  }

  public Integer intOrNull(String name) throws JsonFormatException {
    Long v = longOrNull(name);
    if (v == null) {
      return null;
    }
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      throw wrong(name, "a 32-bit integer");
    }
    return v.intValue();
  }

  public int intValue(String name, int absent) throws JsonFormatException {
    Integer v = intOrNull(name);
    return v == null ? absent : v;
  }

  public Boolean boolOrNull(String name) throws JsonFormatException {
    Object v = fields.get(name);
    if (v == null || v instanceof Boolean) {
      return (Boolean) v;
    }
    if (v instanceof String s && (s.equals("true") || s.equals("false"))) {
      return Boolean.valueOf(s);
    }
    throw wrong(name, "a boolean");
  }

  public boolean bool(String name) throws JsonFormatException {
    Boolean v = boolOrNull(name);
    return v != null && v;
  }

  /** Standard base64, as Jackson reads {@code byte[]}. */
  public byte[] binary(String name) throws JsonFormatException {
    String s = string(name);
    if (s == null) {
      return null;
    }
    try {
      return Base64Variants.getDefaultVariant().decode(s);
    } catch (IllegalArgumentException e) {
      throw wrong(name, "base64 text");
    }
  }

  public List<String> strings(String name) throws JsonFormatException {
    List<Object> l = array(name);
    if (l == null) {
      return null;
    }
    List<String> out = new ArrayList<>(l.size());
    for (int i = 0; i < l.size(); i++) {
      out.add(asString(l.get(i), name + "[" + i + "]"));
    }
    return out;
  }

  public List<Long> longs(String name) throws JsonFormatException {
    List<Object> l = array(name);
    if (l == null) {
      return null;
    }
    List<Long> out = new ArrayList<>(l.size());
    for (int i = 0; i < l.size(); i++) {
      Object v = l.get(i);
      if (!(v instanceof Long n)) {
        throw wrong(name + "[" + i + "]", "an integer");
      }
      out.add(n);
    }
    return out;
  }

  /** A map of strings, in document order. */
  public Map<String, String> stringMap(String name) throws JsonFormatException {
    Map<String, Object> m = rawObject(name);
    if (m == null) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : m.entrySet()) {
      out.put(e.getKey(), asString(e.getValue(), name + "." + e.getKey()));
    }
    return out;
  }

  public JsonObject object(String name) throws JsonFormatException {
    Map<String, Object> m = rawObject(name);
    return m == null ? null : new JsonObject(child(name), m);
  }

  public <T> T read(String name, JsonCodec<T> codec) throws JsonFormatException {
    JsonObject o = object(name);
    return o == null ? null : codec.read(o);
  }

  /** A list of objects of one type; null elements are refused. */
  public <T> List<T> list(String name, JsonCodec<T> codec) throws JsonFormatException {
    List<Object> l = array(name);
    if (l == null) {
      return null;
    }
    List<T> out = new ArrayList<>(l.size());
    for (int i = 0; i < l.size(); i++) {
      String at = name + "[" + i + "]";
      if (!(l.get(i) instanceof Map<?, ?>)) {
        throw wrong(at, "an object");
      }
      out.add(codec.read(new JsonObject(child(at), cast(l.get(i)))));
    }
    return out;
  }

  /**
   * The field as plain Java values: {@code Map<String, Object>} (document order), {@code List},
   * String, Long, BigInteger, BigDecimal, Boolean, or null.
   */
  public Object raw(String name) {
    return fields.get(name);
  }

  /** The field as a map of plain values (see {@link #raw}), or null. */
  public Map<String, Object> rawObject(String name) throws JsonFormatException {
    Object v = fields.get(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Map<?, ?>)) {
      throw wrong(name, "an object");
    }
    return cast(v);
  }

  /**
   * An error for a value that parsed but makes no sense (a bad digest, a negative size), naming
   * the field's path.
   */
  public JsonFormatException invalid(String name, String why) {
    return new JsonFormatException(child(name) + ": " + why);
  }

  private List<Object> array(String name) throws JsonFormatException {
    Object v = fields.get(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof List<?>)) {
      throw wrong(name, "an array");
    }
    @SuppressWarnings("unchecked")
    List<Object> l = (List<Object>) v;
    return l;
  }

  private String asString(Object v, String name) throws JsonFormatException {
    if (v == null || v instanceof String) {
      return (String) v;
    }
    if (v instanceof Number || v instanceof Boolean) {
      return v.toString();
    }
    throw wrong(name, "a string");
  }

  private JsonFormatException wrong(String name, String expected) {
    return new JsonFormatException(child(name) + ": expected " + expected);
  }

  private String child(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Object v) {
    return (Map<String, Object>) v;
  }

  private static String firstLine(String m) {
    String s = String.valueOf(m);
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
