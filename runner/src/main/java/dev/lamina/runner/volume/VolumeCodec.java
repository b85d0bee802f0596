package dev.lamina.runner.volume;

import dev.lamina.layerfs.json.JsonCodec;
import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code volume.json}: a {@link Volume} as Jackson's data binding writes it (nulls written, then
 * the derived Mountpoint as a {@code file:} URI and Driver) and reads it (the derived fields and
 * unknown ones ignored; the directory is where the file was found).
 */
final class VolumeCodec implements JsonCodec<Volume> {
  static final VolumeCodec INSTANCE = new VolumeCodec();

  private VolumeCodec() {}

  @Override
  public void write(JsonWriter out, Volume v) throws IOException {
    out.startObject();
    stringOrNull(out, "Name", v.name());
    stringOrNull(out, "CreatedAt", v.created());
    out.bool("Anonymous", v.anonymous());
    Path mountpoint = v.mountpoint();
    stringOrNull(out, "Mountpoint", mountpoint == null ? null : mountpoint.toUri().toString());
    out.string("Driver", v.driver()).endObject();
  }

  @Override
  public Volume read(JsonObject in) throws JsonFormatException {
    return new Volume(in.string("Name"), in.string("CreatedAt"), in.bool("Anonymous"), null);
  }

  private static void stringOrNull(JsonWriter out, String name, String value) throws IOException {
    if (value == null) {
      out.nullField(name);
    } else {
      out.string(name, value);
    }
  }
}
