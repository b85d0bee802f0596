package dev.lamina.cli;

import dev.lamina.layerfs.store.ImageUsage;
import dev.lamina.layerfs.store.Store;

/** Which images are in use: by the containers of the store. */
final class Usage {
  private Usage() {}

  static ImageUsage of(Store store) {
    return ContainerSupport.imageUsage(store);
  }
}
