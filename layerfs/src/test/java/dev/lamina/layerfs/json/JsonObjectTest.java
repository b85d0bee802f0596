package dev.lamina.layerfs.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonObjectTest {
  private static JsonObject parse(String json) throws IOException {
    return JsonObject.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  /** The message of the error reading {@code json} with {@code read} gives. */
  private static String error(String json, Reader read) {
    return assertThrows(JsonFormatException.class, () -> read.read(parse(json))).getMessage();
  }

  private interface Reader {
    Object read(JsonObject o) throws IOException;
  }

  @Test
  void absentAndNull_readAlike() throws IOException {
    JsonObject o = parse("{\"n\":null}");
    for (String name : List.of("n", "missing")) {
      assertFalse(o.has(name));
      assertNull(o.string(name));
      assertNull(o.longOrNull(name));
      assertNull(o.intOrNull(name));
      assertNull(o.boolOrNull(name));
      assertNull(o.strings(name));
      assertNull(o.stringMap(name));
      assertNull(o.object(name));
      assertNull(o.binary(name));
      assertEquals(7, o.longValue(name, 7));
      assertEquals(8, o.intValue(name, 8));
      assertFalse(o.bool(name));
    }
    assertEquals(List.of("n"), List.copyOf(o.names()));
  }

  @Test
  void strings_takeNumbersAndBooleansAsTheirText() throws IOException {
    JsonObject o =
        parse("{\"i\":-0,\"f\":1e3,\"g\":2.50,\"b\":true,\"big\":123456789012345678901234}");
    assertEquals("-0", o.string("i"));
    assertEquals("1e3", o.string("f"));
    assertEquals("2.50", o.string("g"));
    assertEquals("true", o.string("b"));
    assertEquals("123456789012345678901234", o.string("big"));
    assertEquals("a: expected a string", error("{\"a\":[]}", x -> x.string("a")));
    assertEquals("a: expected a string", error("{\"a\":{}}", x -> x.string("a")));
  }

  @Test
  void integers_coerceLikeJackson() throws IOException {
    JsonObject o =
        parse(
            "{\"s\":\" 12 \",\"plus\":\"+5\",\"blank\":\" \",\"empty\":\"\",\"textNull\":\"null\","
                + "\"frac\":1.9,\"neg\":-1.9,\"exp\":1e3}");
    assertEquals(12L, o.longOrNull("s"));
    assertEquals(5, o.intOrNull("plus"));
    assertNull(o.longOrNull("blank"));
    assertNull(o.longOrNull("empty"));
    assertNull(o.intOrNull("textNull"));
    assertEquals(1L, o.longOrNull("frac"));
    assertEquals(-1, o.intOrNull("neg"));
    assertEquals(1000, o.intOrNull("exp"));
    assertEquals("a: expected an integer", error("{\"a\":\"1.5\"}", x -> x.longOrNull("a")));
    assertEquals("a: expected an integer", error("{\"a\":true}", x -> x.longOrNull("a")));
    assertEquals(
        "a: expected an integer within 64 bits",
        error("{\"a\":99999999999999999999}", x -> x.longOrNull("a")));
    assertEquals(
        "a: expected an integer within 64 bits", error("{\"a\":1e300}", x -> x.longOrNull("a")));
    assertEquals(
        "a: expected a 32-bit integer", error("{\"a\":2147483648}", x -> x.intOrNull("a")));
    assertEquals(
        "a: expected a 32-bit integer", error("{\"a\":\"2147483648\"}", x -> x.intOrNull("a")));
    assertEquals("a: expected a 32-bit integer", error("{\"a\":3e9}", x -> x.intOrNull("a")));
    assertEquals(Integer.MIN_VALUE, parse("{\"a\":-2147483648}").intOrNull("a"));
    assertEquals(Long.MAX_VALUE, parse("{\"a\":9223372036854775807}").longOrNull("a"));
  }

  @Test
  void booleans_coerceLikeJackson() throws IOException {
    JsonObject o =
        parse(
            "{\"t\":\"True\",\"T\":\" TRUE \",\"f\":\"False\",\"zero\":0,\"negZero\":-0,\"two\":2,"
                + "\"long\":99999999999,\"empty\":\"\"}");
    assertEquals(true, o.boolOrNull("t"));
    assertEquals(true, o.boolOrNull("T"));
    assertEquals(false, o.boolOrNull("f"));
    assertEquals(false, o.boolOrNull("zero"));
    assertEquals(false, o.boolOrNull("negZero"));
    assertEquals(true, o.boolOrNull("two"));
    assertEquals(true, o.boolOrNull("long"));
    assertNull(o.boolOrNull("empty"));
    assertEquals("a: expected a boolean", error("{\"a\":\"yes\"}", x -> x.boolOrNull("a")));
    assertEquals("a: expected a boolean", error("{\"a\":\"1\"}", x -> x.boolOrNull("a")));
    assertEquals("a: expected a boolean", error("{\"a\":1.0}", x -> x.boolOrNull("a")));
  }

  @Test
  void binary_readsBase64AndByteArrays() throws IOException {
    JsonObject o = parse("{\"b\":\"AQID/w==\",\"e\":\"\",\"a\":[1,255,-128,null,\"7\"]}");
    assertArrayEquals(new byte[] {1, 2, 3, -1}, o.binary("b"));
    assertArrayEquals(new byte[0], o.binary("e"));
    assertArrayEquals(new byte[] {1, -1, -128, 0, 7}, o.binary("a"));
    assertEquals("a: expected base64 text", error("{\"a\":\"AQI\"}", x -> x.binary("a")));
    assertEquals("a: expected base64 text", error("{\"a\":\"AQ ID\"}", x -> x.binary("a")));
    assertEquals("a: expected base64 text", error("{\"a\":5}", x -> x.binary("a")));
    assertEquals("a[1]: expected a byte value", error("{\"a\":[1,256]}", x -> x.binary("a")));
  }

  @Test
  void lists_keepNullElementsAndNameTheBadOne() throws IOException {
    JsonObject o = parse("{\"l\":[\"a\",null,3,false],\"n\":[1,\"2\",null]}");
    assertEquals(Arrays.asList("a", null, "3", "false"), o.strings("l"));
    assertEquals(Arrays.asList(1L, 2L, null), o.longs("n"));
    assertEquals("l[1]: expected a string", error("{\"l\":[\"a\",{}]}", x -> x.strings("l")));
    assertEquals("l: expected an array", error("{\"l\":\"a\"}", x -> x.strings("l")));
    assertEquals("l: expected an array", error("{\"l\":{}}", x -> x.longs("l")));
    assertEquals("n[0]: expected an integer", error("{\"n\":[[]]}", x -> x.longs("n")));
  }

  @Test
  void stringMap_keepsDocumentOrderAndNullValues() throws IOException {
    Map<String, String> m = parse("{\"m\":{\"b\":1,\"a\":null,\"c\":\"x\"}}").stringMap("m");
    Map<String, String> want = new LinkedHashMap<>();
    want.put("b", "1");
    want.put("a", null);
    want.put("c", "x");
    assertEquals(want, m);
    assertEquals(List.copyOf(want.keySet()), List.copyOf(m.keySet()));
    assertEquals("m.k: expected a string", error("{\"m\":{\"k\":[]}}", x -> x.stringMap("m")));
    assertEquals("m: expected an object", error("{\"m\":[]}", x -> x.stringMap("m")));
  }

  private record Pair(String name, long n) {}

  private static final JsonCodec<Pair> PAIR =
      new JsonCodec<>() {
        @Override
        public void write(JsonWriter out, Pair p) throws IOException {
          out.startObject().string("name", p.name()).number("n", p.n()).endObject();
        }

        @Override
        public Pair read(JsonObject in) throws JsonFormatException {
          long n = in.longValue("n", 0);
          if (n < 0) {
            throw in.invalid("n", "negative");
          }
          if (n == 99) {
            throw in.invalid("99 is refused");
          }
          return new Pair(in.string("name"), n);
        }
      };

  @Test
  void nestedObjects_errorsNameTheirPath() throws IOException {
    JsonObject o = parse("{\"p\":{\"name\":\"x\",\"n\":2},\"l\":[{\"n\":1},{\"n\":3}]}");
    assertEquals(new Pair("x", 2), o.read("p", PAIR));
    assertEquals(List.of(new Pair(null, 1), new Pair(null, 3)), o.list("l", PAIR));
    assertEquals(
        "a.l[1].n: negative",
        error("{\"a\":{\"l\":[{\"n\":1},{\"n\":-1}]}}", x -> x.object("a").list("l", PAIR)));
    assertEquals(
        "a.l[0]: 99 is refused",
        error("{\"a\":{\"l\":[{\"n\":99}]}}", x -> x.object("a").list("l", PAIR)));
    assertEquals("99 is refused", error("{\"n\":99}", PAIR::read));
    assertEquals(
        "a.l[0].name: expected a string",
        error("{\"a\":{\"l\":[{\"name\":[]}]}}", x -> x.object("a").list("l", PAIR)));
    assertEquals("l[1]: expected an object", error("{\"l\":[{},null]}", x -> x.list("l", PAIR)));
    assertEquals("l[0]: expected an object", error("{\"l\":[1]}", x -> x.list("l", PAIR)));
    assertEquals("p: expected an object", error("{\"p\":\"\"}", x -> x.read("p", PAIR)));
    assertTrue(o.isObject("p"));
    assertFalse(o.isObject("l"));
    assertFalse(o.isObject("missing"));
  }

  @Test
  void raw_readsValuesAsJacksonReadsObject() throws IOException {
    JsonObject o =
        parse(
            "{\"m\":{\"i\":1,\"l\":9999999999,\"b\":99999999999999999999,\"d\":1.50,"
                + "\"t\":true,\"n\":null,\"s\":\"x\",\"a\":[1,{\"z\":2}]}}");
    Map<String, Object> m = o.rawObject("m");
    assertInstanceOf(Integer.class, m.get("i"));
    assertEquals(9999999999L, m.get("l"));
    assertEquals(new BigInteger("99999999999999999999"), m.get("b"));
    assertEquals(1.5, m.get("d"));
    assertEquals(true, m.get("t"));
    assertTrue(m.containsKey("n"));
    assertNull(m.get("n"));
    assertEquals("x", m.get("s"));
    assertEquals(List.of(1, Map.of("z", 2)), m.get("a"));
    assertEquals(List.copyOf(m.keySet()), List.of("i", "l", "b", "d", "t", "n", "s", "a"));
    assertEquals(m, o.raw("m"));
    assertEquals("m: expected an object", error("{\"m\":[]}", x -> x.rawObject("m")));
  }

  @Test
  void duplicateNames_lastWins() throws IOException {
    JsonObject o = parse("{\"a\":1,\"b\":2,\"a\":3}");
    assertEquals(3, o.intOrNull("a"));
    assertEquals(List.of("a", "b"), List.copyOf(o.names()));
  }

  @Test
  void parse_refusesWhatIsNotOneObject() {
    for (String bad : List.of("", " ", "[]", "null", "\"x\"", "1", "true")) {
      IOException e = assertThrows(IOException.class, () -> parse(bad), bad);
      assertEquals("not a JSON object", e.getMessage(), bad);
    }
    for (String bad : List.of("{} {}", "{}x", "{} ]", "{}}", "{}\u0000")) {
      IOException e = assertThrows(IOException.class, () -> parse(bad), bad);
      assertEquals("trailing content after the JSON object", e.getMessage(), bad);
    }
    assertThrows(IOException.class, () -> parse("{\"a\":}"));
    assertThrows(IOException.class, () -> parse("{\"a\":1"));
    assertThrows(IOException.class, () -> parse("{'a':1}"));
    assertThrows(IOException.class, () -> parse("{\"a\":NaN}"));
    assertThrows(IOException.class, () -> parse("{\"a\":01}"));
    assertThrows(
        IOException.class, () -> JsonObject.parse(new byte[] {'{', '"', (byte) 0xff, '"', '}'}));
  }

  @Test
  void parse_acceptsWhiteSpaceAround() throws IOException {
    assertEquals("b", parse(" \n{\"a\" : \"b\"}\n\t ").string("a"));
  }

  @Test
  void parse_refusesDeepNesting() {
    String deep = "{\"a\":" + "[".repeat(500) + "]".repeat(500) + "}";
    IOException e = assertThrows(IOException.class, () -> parse(deep));
    assertTrue(e.getMessage().contains("nesting depth"), e.getMessage());
    String fine = "{\"a\":" + "[".repeat(150) + "]".repeat(150) + "}";
    assertThrows(JsonFormatException.class, () -> parse(fine).string("a"));
  }
}
