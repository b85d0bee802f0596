package dev.lamina.layerfs.store;

import dev.lamina.layerfs.digest.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code system prune}: removes blobs no name reaches (through manifests and indexes), then runs
 * the other owners' {@link PruneHook}s. It holds the GC lock exclusively, so it waits for every
 * {@link Lease} (blobs being written, or written and not yet named) and never removes them.
 *
 * <p>A name whose manifest or index is missing or corrupt keeps nothing alive: its remaining
 * children are removed as unreferenced (the image is unusable anyway; {@code rmi -f} removes the
 * name).
 */
public final class StorePrune {
  /** What prune removed. */
  public record Result(List<Digest> removedBlobs, long bytesFreed) {
    public Result {
      removedBlobs = List.copyOf(removedBlobs);
    }
  }

  private final Store store;
  private final List<PruneHook> hooks = new ArrayList<>();

  StorePrune(Store store) {
    this.store = store;
  }

  /** Adds a hook run after the blobs are pruned; returns this. */
  public StorePrune withHook(PruneHook hook) {
    hooks.add(hook);
    return this;
  }

  /**
   * Prunes, waiting for writers to finish first.
   *
   * @throws IOException if index.json cannot be read (nothing is removed then) or removal fails
   */
  public Result run() throws IOException {
    try (FileLocks.Held gc = store.collecting()) {
      BlobStore blobs = store.blobs();
      Set<Digest> reached =
          Reachability.from(blobs, store.layout().index().manifests()).reached().keySet();
      List<Digest> removed = new ArrayList<>();
      long freed = 0;
      for (Digest d : blobs.list()) {
        if (!reached.contains(d)) {
          long size = blobs.exists(d) ? blobs.size(d) : 0;
          if (blobs.delete(d)) {
            removed.add(d);
            freed += size;
          }
        }
      }
      for (PruneHook hook : hooks) {
        freed += hook.prune(store);
      }
      return new Result(removed, freed);
    }
  }
}
