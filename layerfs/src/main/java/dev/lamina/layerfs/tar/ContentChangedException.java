package dev.lamina.layerfs.tar;

import java.io.IOException;

/** A file's content did not have the size its entry announced, usually because it changed. */
public final class ContentChangedException extends IOException {
  private static final long serialVersionUID = 1L;

  public ContentChangedException(String path, long expected, String actual) {
    super("file changed while writing the layer: " + path + " (expected " + expected
        + " bytes, found " + actual + ")");
  }
}
