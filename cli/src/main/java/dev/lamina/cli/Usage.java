package dev.lamina.cli;

import dev.lamina.layerfs.store.ImageUsage;
import dev.lamina.layerfs.store.Store;

/** Which images are in use: the containers of the store, once containers exist. */
final class Usage {
  private Usage() {}

  static ImageUsage of(Store store) {
    return ImageUsage.NONE;
  }
}
