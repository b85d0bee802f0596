package dev.lamina.builder.copy;

import java.io.IOException;

/** A COPY or ADD source that is missing, outside its tree, or not copyable. */
public final class CopySourceException extends IOException {
  public CopySourceException(String message) {
    super(message);
  }
}
