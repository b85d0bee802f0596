package dev.lamina.layerfs.json;

import java.io.IOException;

/**
 * Reads and writes one type as JSON, by hand. A codec writes the same bytes Jackson's data binding
 * would (record fields in declaration order, map keys sorted, absent values left out as the type
 * declares), so the canonical form, and with it every digest, does not depend on which of the two
 * wrote it.
 *
 * @param <T> the type
 */
public interface JsonCodec<T> {
  /** Writes {@code value} as one JSON value. */
  void write(JsonWriter out, T value) throws IOException;

  /**
   * Builds a value from a parsed JSON object.
   *
   * @throws JsonFormatException when a field has the wrong type or a required one is missing
   */
  T read(JsonObject in) throws JsonFormatException;
}
