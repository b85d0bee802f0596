package dev.lamina.cli;

import dev.lamina.builder.cache.BuildCache;
import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.registry.CompressedBlobCache;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.store.StorePrune;

/** Wires the owners of the store's other parts (layers, containers, cache) into prune. */
final class Hooks {
  private Hooks() {}

  static StorePrune prune(Store store) {
    return store
        .prune()
        .withHook(BuildCache.pruneHook())
        .withHook(CompressedBlobCache.pruneHook())
        .withHook(ExtractedLayers.of(store).pruneHook(layerUsers(store)));
  }

  /** Extracted layers that containers stack, which prune must keep even if no image names them. */
  static ExtractedLayers.LayerUsers layerUsers(Store store) {
    return ContainerSupport.layerUsers(store);
  }
}
