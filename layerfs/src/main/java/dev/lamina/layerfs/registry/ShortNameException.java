package dev.lamina.layerfs.registry;

import java.io.IOException;

/** A short image name that {@code registries.conf} cannot turn into one full name. */
public final class ShortNameException extends IOException {
  public ShortNameException(String message) {
    super(message);
  }
}
