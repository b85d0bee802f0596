package dev.lamina.layerfs.store;

import java.io.IOException;

/** No image matches a name or id (or a short id matches several). */
public final class ImageNotFoundException extends IOException {
  public ImageNotFoundException(String message) {
    super(message);
  }
}
