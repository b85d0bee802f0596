package dev.lamina.runner.runtime;

import java.io.IOException;

/** The OCI runtime failed or is missing; the message says why in one line. */
public class OciRuntimeException extends IOException {
  public OciRuntimeException(String message) {
    super(message);
  }
}
