package dev.lamina.runner.network;

import java.io.IOException;

/**
 * A network operation refused or failed: an unknown or duplicate network, an overlapping subnet, a
 * network in use, a bad {@code -p} spec, no free address, or netavark reporting an error. The
 * message is one line meant for the user.
 */
public class NetworkException extends IOException {
  public NetworkException(String message) {
    super(message);
  }

  public NetworkException(String message, Throwable cause) {
    super(message, cause);
  }
}
