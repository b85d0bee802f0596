package dev.lamina.layerfs.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class JsonWriterTest {
  /** A codec writing whatever the test's body writes, for one value. */
  private interface Body {
    void write(JsonWriter out) throws IOException;
  }

  private static String written(Body body) {
    JsonCodec<Body> codec =
        new JsonCodec<>() {
          @Override
          public void write(JsonWriter out, Body b) throws IOException {
            out.startObject();
            b.write(out);
            out.endObject();
          }

          @Override
          public Body read(JsonObject in) {
            throw new UnsupportedOperationException();
          }
        };
    return new String(JsonWriter.toBytes(body, codec), StandardCharsets.UTF_8);
  }

  @Test
  void nullFields_areLeftOut_primitivesAlwaysWritten() {
    assertEquals(
        "{\"n\":0,\"b\":false}",
        written(
            out ->
                out.string("s", null)
                    .number("n", 0L)
                    .number("l", (Long) null)
                    .number("i", (Integer) null)
                    .bool("b", false)
                    .bool("B", (Boolean) null)
                    .binary("d", null)
                    .strings("ss", null)
                    .numbers("ns", null)
                    .stringMap("m", null)
                    .raw("r", null)));
  }

  @Test
  void scalarsAndLists_compact() {
    // Jackson's generator escapes a character outside the BMP as its surrogate pair.
    assertEquals(
        "{\"s\":\"a\\\"b\\\\c\\n"
            + "\\u0001é中\\uD83D\\uDE00\",\"n\":-5,\"l\":9999999999,\"i\":7,\"B\":true,"
            + "\"d\":\"AQID/w==\",\"ss\":[\"x\",null],\"ns\":[1,2]}",
        written(
            out ->
                out.string("s", "a\"b\\c\n\u0001é中😀")
                    .number("n", -5)
                    .number("l", Long.valueOf(9999999999L))
                    .number("i", Integer.valueOf(7))
                    .bool("B", Boolean.TRUE)
                    .binary("d", new byte[] {1, 2, 3, -1})
                    .strings("ss", Arrays.asList("x", null))
                    .numbers("ns", List.of(1, 2L))));
  }

  @Test
  void maps_areWrittenSortedWhateverTheirOrder() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("b", "2");
    m.put("a", null);
    m.put("B", "3");
    m.put("é", "4");
    String want = "{\"m\":{\"B\":\"3\",\"a\":null,\"b\":\"2\",\"é\":\"4\"}}";
    assertEquals(want, written(out -> out.stringMap("m", m)));
    assertEquals(want, written(out -> out.stringMap("m", new TreeMap<>(m))));
    assertEquals(want, written(out -> out.stringMap("m", new HashMap<>(m))));
    TreeMap<String, String> reversed = new TreeMap<>(java.util.Comparator.reverseOrder());
    reversed.putAll(Map.of("a", "1", "b", "2"));
    assertEquals("{\"m\":{\"a\":\"1\",\"b\":\"2\"}}", written(out -> out.stringMap("m", reversed)));
  }

  @Test
  void raw_writesPlainValuesWithMapsSorted() {
    Map<String, Object> inner = new LinkedHashMap<>();
    inner.put("z", null);
    inner.put("y", List.of(1, 2L, (short) 3, (byte) 4));
    inner.put("x", Map.of("k", true));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("f", 1.5f);
    m.put("d", 2.25);
    m.put("bi", new BigInteger("123456789012345678901234567890"));
    m.put("bd", new BigDecimal("1.50"));
    m.put("s", "t");
    m.put("in", inner);
    assertEquals(
        "{\"r\":{\"bd\":1.50,\"bi\":123456789012345678901234567890,\"d\":2.25,\"f\":1.5,"
            + "\"in\":{\"x\":{\"k\":true},\"y\":[1,2,3,4],\"z\":null},\"s\":\"t\"}}",
        written(out -> out.raw("r", m)));
    assertThrows(IllegalArgumentException.class, () -> written(out -> out.raw("r", new Object())));
  }

  private record Item(String name) {}

  private static final JsonCodec<Item> ITEM =
      new JsonCodec<>() {
        @Override
        public void write(JsonWriter out, Item i) throws IOException {
          out.startObject().string("name", i.name()).endObject();
        }

        @Override
        public Item read(JsonObject in) throws JsonFormatException {
          return new Item(in.string("name"));
        }
      };

  @Test
  void nestedValuesAndLists_throughTheirCodec() throws IOException {
    String json =
        written(
            out ->
                out.value("one", new Item("a"), ITEM)
                    .value("none", null, ITEM)
                    .list("all", List.of(new Item("b"), new Item(null)), ITEM)
                    .list("empty", List.of(), ITEM)
                    .list("absent", null, ITEM));
    assertEquals("{\"one\":{\"name\":\"a\"},\"all\":[{\"name\":\"b\"},{}],\"empty\":[]}", json);
    JsonObject back = JsonObject.parse(json.getBytes(StandardCharsets.UTF_8));
    assertEquals(new Item("a"), back.read("one", ITEM));
    assertEquals(List.of(new Item("b"), new Item(null)), back.list("all", ITEM));
  }
}
