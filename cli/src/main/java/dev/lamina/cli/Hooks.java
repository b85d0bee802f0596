package dev.lamina.cli;

import dev.lamina.builder.cache.BuildCache;
import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.registry.CompressedBlobCache;
import dev.lamina.layerfs.store.PruneHook;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.store.StoreCheck;
import dev.lamina.layerfs.store.StorePrune;

/**
 * Wires the owners of the store's other parts (layers, containers, cache, networks' run-time
 * state) into prune.
 */
final class Hooks {
  private Hooks() {}

  static StorePrune prune(Store store) {
    return buildCache(store)
        .withHook(CompressedBlobCache.pruneHook())
        .withHook(ContainerSupport.networkState());
  }

  /**
   * What {@code builder prune} runs: the build cache's records go, and with them what only the
   * cache kept, the blobs no name reaches (the layers of cached steps) and their extracted layers.
   */
  static StorePrune buildCache(Store store) {
    return store
        .prune()
        .withHook(BuildCache.pruneHook())
        .withHook(ExtractedLayers.of(store).pruneHook(layerUsers(store)));
  }

  /** What rmi runs when it deletes an image's blobs: its extracted layers nothing else uses go. */
  static PruneHook released(Store store) {
    return ExtractedLayers.of(store).pruneHook(layerUsers(store));
  }

  /** The store's check, with its extracted layers and container directories. */
  static StoreCheck check(Store store) {
    return store
        .check()
        .withPart(ExtractedLayers.of(store).checkedPart(layerUsers(store)))
        .withPart(ContainerSupport.strayDirectories(store))
        .withPart(ContainerSupport.nameIndex(store));
  }

  /** Extracted layers that containers stack, which prune must keep even if no image names them. */
  static ExtractedLayers.LayerUsers layerUsers(Store store) {
    return ContainerSupport.layerUsers(store);
  }
}
