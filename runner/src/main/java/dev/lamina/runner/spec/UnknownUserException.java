package dev.lamina.runner.spec;

import java.io.IOException;

/** A user or group name that the image's own account files do not list. */
public final class UnknownUserException extends IOException {
  public UnknownUserException(String message) {
    super(message);
  }
}
