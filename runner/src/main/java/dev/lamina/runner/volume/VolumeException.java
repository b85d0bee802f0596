package dev.lamina.runner.volume;

import java.io.IOException;

/** A volume operation refused: unknown volume, invalid name, or volume in use. */
public final class VolumeException extends IOException {
  public VolumeException(String message) {
    super(message);
  }
}
