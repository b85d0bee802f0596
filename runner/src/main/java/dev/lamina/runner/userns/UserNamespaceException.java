package dev.lamina.runner.userns;

import java.io.IOException;

/** The user's namespace cannot be made or entered; the message says what to install or edit. */
public final class UserNamespaceException extends IOException {
  public UserNamespaceException(String message) {
    super(message);
  }
}
