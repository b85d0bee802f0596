package dev.lamina.layerfs.store;

/**
 * A claim that keeps the garbage collector away while it is held: blobs written under a lease
 * survive {@link StorePrune} until the lease is closed, which is the window between writing an
 * image's blobs and tagging it. Leases are shared (any number of writers, in any process);
 * prune waits until none is held.
 */
public interface Lease extends AutoCloseable {
  /** Releases the lease; idempotent. */
  @Override
  void close();
}
