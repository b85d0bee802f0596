package dev.lamina.runner.network;

/** netavark (or aardvark-dns) is not installed; the message names the Debian package. */
public final class NetavarkNotFoundException extends NetworkException {
  public NetavarkNotFoundException(String message) {
    super(message);
  }
}
