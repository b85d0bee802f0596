package dev.lamina.runner.runtime;

/** The requested runtime's binary is not installed; the message names the package. */
public final class RuntimeNotFoundException extends OciRuntimeException {
  public RuntimeNotFoundException(String message) {
    super(message);
  }
}
