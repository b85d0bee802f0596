package dev.lamina.runner;

import java.io.IOException;

/** A container operation refused: unknown container, name taken, container running. */
public final class ContainerException extends IOException {
  public ContainerException(String message) {
    super(message);
  }
}
