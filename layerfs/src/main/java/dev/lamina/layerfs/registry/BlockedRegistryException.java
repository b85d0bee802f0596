package dev.lamina.layerfs.registry;

import java.io.IOException;

/** An image whose {@code [[registry]]} in {@code registries.conf} is {@code blocked}. */
public final class BlockedRegistryException extends IOException {
  public BlockedRegistryException(RegistryReference ref, String prefix) {
    super("registry " + ref.registry() + " is blocked for " + ref + " (registries.conf: "
        + prefix + ")");
  }
}
