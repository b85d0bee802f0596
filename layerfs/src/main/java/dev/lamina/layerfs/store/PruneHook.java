package dev.lamina.layerfs.store;

import java.io.IOException;

/**
 * Lets the owner of another part of the store (extracted layers, build cache) take part in
 * {@code system prune}. Hooks run after unreferenced blobs are removed, while the GC lock is held
 * exclusively, so no image is being written meanwhile.
 */
@FunctionalInterface
public interface PruneHook {
  /**
   * Removes what the owner no longer needs.
   *
   * @return bytes freed
   * @throws IOException if removal fails
   */
  long prune(Store store) throws IOException;
}
