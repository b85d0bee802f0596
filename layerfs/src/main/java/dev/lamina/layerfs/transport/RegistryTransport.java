package dev.lamina.layerfs.transport;

import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.registry.RegistryOptions;
import dev.lamina.layerfs.registry.RegistryPull;
import dev.lamina.layerfs.registry.RegistryPush;
import dev.lamina.layerfs.registry.RegistryReference;
import dev.lamina.layerfs.store.Store;
import java.io.IOException;
import java.util.List;

/** {@code docker://HOST/NAME[:TAG|@DIGEST]}: a registry, through the distribution API. */
final class RegistryTransport {
  private RegistryTransport() {}

  /** Pulls the image; it is found under its reference's name (none for a bare digest). */
  static List<ImageTransports.Source.Found> read(
      Store store, ImageLocation from, RegistryOptions options) throws IOException {
    RegistryReference ref = from.registryReference();
    Descriptor target = RegistryPull.pull(store, ref, options);
    String name = ref.storeName();
    return List.of(new ImageTransports.Source.Found(target, name == null ? List.of()
        : List.of(name)));
  }

  /** Pushes the one image of {@code items}. */
  static Descriptor write(
      Store store, List<ImageTransports.Sink.Item> items, ImageLocation to,
      RegistryOptions options) throws IOException {
    if (items.size() != 1) {
      throw new IllegalArgumentException(
          "push one image at a time to a registry (" + items.size() + " given)");
    }
    return RegistryPush.push(store, items.get(0).target(), to.registryReference(), options);
  }
}
