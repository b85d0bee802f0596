package dev.lamina.runner.volume;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.layerfs.oci.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The codec writes the bytes Jackson's data binding writes, and reads what it reads. */
class VolumeCodecTest {
  @ParameterizedTest
  @ValueSource(strings = {"/var/lib/lamina/volumes/data", "/a b/ü%/#?x", "relative/dir", "-"})
  void write_sameBytesAsDataBinding(String dir) throws IOException {
    Path directory = dir.equals("-") ? null : Path.of(dir);
    for (Volume v :
        new Volume[] {
          new Volume("data", "2026-01-02T03:04:05Z", false, directory),
          new Volume("f".repeat(64), null, true, directory),
          new Volume(null, null, false, directory),
        }) {
      byte[] expected = Json.mapper().writeValueAsBytes(v);
      assertArrayEquals(
          expected,
          JsonWriter.toBytes(v, VolumeCodec.INSTANCE),
          () -> new String(expected, StandardCharsets.UTF_8));
      assertEquals(v.at(null), JsonObject.read(expected, VolumeCodec.INSTANCE));
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{}",
        "{\"Name\":\"v\",\"CreatedAt\":null,\"Anonymous\":\"true\",\"Mountpoint\":\"file:///x\","
            + "\"Driver\":\"other\",\"Labels\":{}}",
      })
  void read_sameAsDataBinding(String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    assertEquals(Json.read(bytes, Volume.class), JsonObject.read(bytes, VolumeCodec.INSTANCE));
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"Name\":[]}", "{\"Anonymous\":{}}"})
  void read_wrongType_refused(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    assertThrows(IOException.class, () -> Json.read(bytes, Volume.class));
    assertThrows(JsonFormatException.class, () -> JsonObject.read(bytes, VolumeCodec.INSTANCE));
  }
}
