package dev.lamina.layerfs.json;

import java.io.IOException;

/** JSON that parsed but does not have the shape its type needs (a field of the wrong type). */
public final class JsonFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public JsonFormatException(String message) {
    super(message);
  }
}
