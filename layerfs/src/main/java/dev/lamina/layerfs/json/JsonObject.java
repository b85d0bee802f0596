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
import java.util.Set;

/**
 * A parsed JSON object, read field by field by {@link JsonCodec}s. Absent fields and JSON nulls
 * read alike, as null (or the given default). Scalars are coerced to the asked type the way
 * Jackson's data binding does: a number or boolean where a string is wanted is its text; a string
 * of digits where a number is wanted is that number, and a blank one or {@code "null"} is null; a
 * fraction where an integer is wanted is truncated; an integer where a boolean is wanted is {@code
 * != 0}; {@code "true"}, {@code "True"} and {@code "TRUE"} are true. Anything else of the wrong
 * type is an error naming the field's path ({@code layers[2].digest}).
 */
public final class JsonObject {
  /** The deepest nesting accepted: manifests and configs come from untrusted sources. */
  private static final int MAX_DEPTH = 200;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
          .build();

  // Jackson's bounds for a fraction read as an integer: the double is compared, then truncated.
  private static final double MIN_LONG_D = Long.MIN_VALUE;
  private static final double MAX_LONG_D = Long.MAX_VALUE;

  /**
   * A JSON number: its text (what it reads as where a string is wanted, exactly as written) and its
   * value as Jackson's untyped reading has it (Integer, Long or BigInteger; Double).
   */
  private record Num(String text, Number value) {}

  // The path is kept as links to the parent and built only for an error message: building it for
  // every object read would cost a short command more than the reading.
  private final JsonObject parent;
  private final String key;
  private final int index;
  private final Map<String, Object> fields;

  private JsonObject(JsonObject parent, String key, int index, Map<String, Object> fields) {
    this.parent = parent;
    this.key = key;
    this.index = index;
    this.fields = fields;
  }

  /**
   * Parses {@code bytes}, which must hold one JSON object and nothing after it but white space.
   *
   * @throws IOException when the text is not JSON, or not an object ({@link JsonFormatException})
   */
  public static JsonObject parse(byte[] bytes) throws IOException {
    try (JsonParser p = FACTORY.createParser(bytes)) {
      JsonToken first = p.nextToken();
      if (first != JsonToken.START_OBJECT) {
        throw new JsonFormatException("not a JSON object");
      }
      Map<String, Object> fields = cast(value(p, first));
      if (!endsHere(p)) {
        throw new JsonFormatException("trailing content after the JSON object");
      }
      return new JsonObject(null, null, -1, fields);
    } catch (JsonProcessingException e) {
      throw new IOException(firstLine(e.getOriginalMessage()), e);
    }
  }

  /** Whether nothing but white space is left; whatever else is there need not even be JSON. */
  private static boolean endsHere(JsonParser p) throws IOException {
    try {
      return p.nextToken() == null;
    } catch (JsonProcessingException e) {
      return false;
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
          // A repeated name: the last value wins, as with Go's encoding/json (and Jackson's data
          // binding, as long as not every field of the record came before the repeat).
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
        return new Num(p.getText(), p.getNumberValue());
      case VALUE_NUMBER_FLOAT:
        return new Num(p.getText(), p.getDoubleValue());
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

  /** Whether the field is an object (not null, not another type). */
  public boolean isObject(String name) {
    return fields.get(name) instanceof Map<?, ?>;
  }

  /** The field names, in document order, including those of null fields. */
  public Set<String> names() {
    return Collections.unmodifiableSet(fields.keySet());
  }

  public String string(String name) throws JsonFormatException {
    return asString(fields.get(name), name, -1);
  }

  public Long longOrNull(String name) throws JsonFormatException {
    return asLong(fields.get(name), name, -1);
  }

  public long longValue(String name, long absent) throws JsonFormatException {
    Long v = longOrNull(name);
    return v == null ? absent : v;
  }

  public Integer intOrNull(String name) throws JsonFormatException {
    return asInt(fields.get(name), name, -1);
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
    if (v instanceof Num n) {
      if (n.value() instanceof Integer i) {
        return i != 0;
      }
      if (!(n.value() instanceof Double)) {
        return !n.text().equals("0");
      }
    } else if (v instanceof String s) {
      String t = s.trim();
      if (t.isEmpty() || t.equals("null")) {
        return null;
      }
      if (t.equals("true") || t.equals("True") || t.equals("TRUE")) {
        return Boolean.TRUE;
      }
      if (t.equals("false") || t.equals("False") || t.equals("FALSE")) {
        return Boolean.FALSE;
      }
    }
    throw wrong(name, -1, "a boolean");
  }

  public boolean bool(String name) throws JsonFormatException {
    Boolean v = boolOrNull(name);
    return v != null && v;
  }

  /**
   * Standard base64 (padded), as Jackson reads {@code byte[]}; an array of integers (-128 to 255,
   * null as 0) is read as those bytes, as Jackson does too.
   */
  public byte[] binary(String name) throws JsonFormatException {
    Object v = fields.get(name);
    if (v == null) {
      return null;
    }
    if (v instanceof String s) {
      try {
        return Base64Variants.getDefaultVariant().decode(s);
      } catch (IllegalArgumentException e) {
        throw wrong(name, -1, "base64 text");
      }
    }
    if (v instanceof List<?> l) {
      byte[] out = new byte[l.size()];
      for (int i = 0; i < out.length; i++) {
        Integer b = asInt(l.get(i), name, i);
        if (b != null && (b < Byte.MIN_VALUE || b > 255)) {
          throw wrong(name, i, "a byte value");
        }
        out[i] = b == null ? 0 : (byte) b.intValue();
      }
      return out;
    }
    throw wrong(name, -1, "base64 text");
  }

  /** A list of strings; null elements stay null. */
  public List<String> strings(String name) throws JsonFormatException {
    List<Object> l = array(name);
    if (l == null) {
      return null;
    }
    List<String> out = new ArrayList<>(l.size());
    for (int i = 0; i < l.size(); i++) {
      out.add(asString(l.get(i), name, i));
    }
    return out;
  }

  /** A list of integers; null elements stay null. */
  public List<Long> longs(String name) throws JsonFormatException {
    List<Object> l = array(name);
    if (l == null) {
      return null;
    }
    List<Long> out = new ArrayList<>(l.size());
    for (int i = 0; i < l.size(); i++) {
      out.add(asLong(l.get(i), name, i));
    }
    return out;
  }

  /** A map of strings, in document order; null values stay null. */
  public Map<String, String> stringMap(String name) throws JsonFormatException {
    JsonObject o = object(name);
    if (o == null) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : o.fields.entrySet()) {
      out.put(e.getKey(), o.asString(e.getValue(), e.getKey(), -1));
    }
    return out;
  }

  public JsonObject object(String name) throws JsonFormatException {
    Object v = fields.get(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Map<?, ?>)) {
      throw wrong(name, -1, "an object");
    }
    return new JsonObject(this, name, -1, cast(v));
  }

  public <T> T read(String name, JsonCodec<T> codec) throws JsonFormatException {
    JsonObject o = object(name);
    return o == null ? null : codec.read(o);
  }

  /** A list of objects of one type; null elements are refused. */
  public <T> List<T> list(String name, JsonCodec<T> codec) throws JsonFormatException {
    List<JsonObject> objects = objects(name);
    if (objects == null) {
      return null;
    }
    List<T> out = new ArrayList<>(objects.size());
    for (JsonObject o : objects) {
      out.add(codec.read(o));
    }
    return out;
  }

  /** A list of objects, each read as it comes; null elements are refused. */
  public List<JsonObject> objects(String name) throws JsonFormatException {
    List<Object> l = array(name);
    if (l == null) {
      return null;
    }
    List<JsonObject> out = new ArrayList<>(l.size());
    for (int i = 0; i < l.size(); i++) {
      if (!(l.get(i) instanceof Map<?, ?>)) {
        throw wrong(name, i, "an object");
      }
      out.add(new JsonObject(this, name, i, cast(l.get(i))));
    }
    return out;
  }

  /**
   * The field as plain Java values, as Jackson's data binding reads {@code Object}: {@code
   * Map<String, Object>} (document order), {@code List}, String, Integer, Long or BigInteger (the
   * smallest that holds the integer), Double, Boolean, or null.
   */
  public Object raw(String name) {
    return plain(fields.get(name));
  }

  /** The field as a map of plain values (see {@link #raw}), or null. */
  public Map<String, Object> rawObject(String name) throws JsonFormatException {
    Object v = fields.get(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Map<?, ?>)) {
      throw wrong(name, -1, "an object");
    }
    return cast(plain(v));
  }

  /**
   * An error for a value that parsed but makes no sense (a bad digest, a negative size), naming the
   * field's path.
   */
  public JsonFormatException invalid(String name, String why) {
    return new JsonFormatException(at(name, -1) + ": " + why);
  }

  /**
   * An error for this object as a whole (its type's rules refuse the combination of its fields),
   * naming its path; at the top it is {@code why} alone.
   */
  public JsonFormatException invalid(String why) {
    String path = path();
    return new JsonFormatException(path.isEmpty() ? why : path + ": " + why);
  }

  private static Object plain(Object v) {
    if (v instanceof Num n) {
      return n.value();
    }
    if (v instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) {
        out.put((String) e.getKey(), plain(e.getValue()));
      }
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object o : l) {
        out.add(plain(o));
      }
      return out;
    }
    return v;
  }

  private List<Object> array(String name) throws JsonFormatException {
    Object v = fields.get(name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof List<?>)) {
      throw wrong(name, -1, "an array");
    }
    @SuppressWarnings("unchecked")
    List<Object> l = (List<Object>) v;
    return l;
  }

  private String asString(Object v, String name, int i) throws JsonFormatException {
    if (v == null || v instanceof String) {
      return (String) v;
    }
    if (v instanceof Num n) {
      return n.text();
    }
    if (v instanceof Boolean) {
      return v.toString();
    }
    throw wrong(name, i, "a string");
  }

  private Long asLong(Object v, String name, int i) throws JsonFormatException {
    if (v == null) {
      return null;
    }
    if (v instanceof Num n) {
      Number value = n.value();
      if (value instanceof Integer || value instanceof Long) {
        return value.longValue();
      }
      if (value instanceof Double d && d >= MIN_LONG_D && d <= MAX_LONG_D) {
        return (long) d.doubleValue();
      }
      throw wrong(name, i, "an integer within 64 bits");
    }
    if (v instanceof String s) {
      String t = s.trim();
      if (t.isEmpty() || t.equals("null")) {
        return null;
      }
      try {
        return Long.parseLong(t);
      } catch (NumberFormatException e) {
        throw wrong(name, i, "an integer");
      }
    }
    throw wrong(name, i, "an integer");
  }

  private Integer asInt(Object v, String name, int i) throws JsonFormatException {
    if (v instanceof Num n && n.value() instanceof Double d) {
      // Truncated only within int's range, as Jackson checks the double before casting.
      if (d < Integer.MIN_VALUE || d > Integer.MAX_VALUE) {
        throw wrong(name, i, "a 32-bit integer");
      }
      return (int) d.doubleValue();
    }
    Long l;
    try {
      l = asLong(v, name, i);
    } catch (JsonFormatException e) {
      throw wrong(name, i, "a 32-bit integer");
    }
    if (l == null) {
      return null;
    }
    if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
      throw wrong(name, i, "a 32-bit integer");
    }
    return l.intValue();
  }

  private JsonFormatException wrong(String name, int i, String expected) {
    return new JsonFormatException(at(name, i) + ": expected " + expected);
  }

  /** The path of field {@code name} (element {@code i} of it when not negative). */
  private String at(String name, int i) {
    String path = path();
    String field = i < 0 ? name : name + "[" + i + "]";
    return path.isEmpty() ? field : path + "." + field;
  }

  private String path() {
    return parent == null ? "" : parent.at(key, index);
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
