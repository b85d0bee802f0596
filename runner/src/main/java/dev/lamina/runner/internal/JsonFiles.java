package dev.lamina.runner.internal;

import dev.lamina.layerfs.json.JsonCodec;
import dev.lamina.layerfs.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Lamina's own JSON files (records, runtime bundles), read through a codec. */
public final class JsonFiles {
  private JsonFiles() {}

  /**
   * Reads {@code file} as one value of {@code codec}'s type.
   *
   * @throws IOException when it cannot be read, or is not JSON of that shape (naming the file)
   */
  public static <T> T read(Path file, JsonCodec<T> codec) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    try {
      return JsonObject.read(bytes, codec);
    } catch (IOException e) {
      throw new IOException("malformed " + file + ": " + e.getMessage(), e);
    }
  }
}
