package dev.lamina.cli;

import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.store.StorePrune;

/** Wires the owners of the store's other parts (layers, containers, cache) into prune. */
final class Hooks {
  private Hooks() {}

  static StorePrune prune(Store store) {
    return store.prune();
  }
}
