package dev.lamina.layerfs.digest;

import java.io.IOException;

/** Content whose digest or size differs from what its descriptor promised: untrusted. */
public final class DigestMismatchException extends IOException {
  public DigestMismatchException(String message) {
    super(message);
  }
}
