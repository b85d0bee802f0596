package dev.lamina.layerfs.transport;

import java.io.IOException;

/** A transport Lamina parses but cannot use yet (registries). */
public final class UnsupportedTransportException extends IOException {
  public UnsupportedTransportException(String message) {
    super(message);
  }
}
