package dev.lamina.layerfs.registry;

import dev.lamina.layerfs.oci.Descriptor;

/**
 * Hears about blobs as they cross: a transfer starts, moves on, and ends with an outcome.
 * Implementations must be thread-safe (blobs move in parallel).
 */
public interface TransferProgress {
  /** How a blob's transfer ended. */
  enum Outcome {
    /** Sent to the registry. */
    PUSHED,
    /** Received from the registry. */
    PULLED,
    /** Not sent or received: the other side has it already. */
    SKIPPED,
    /** Linked from another repository of the same registry, not sent. */
    MOUNTED
  }

  /** Does nothing. */
  TransferProgress NONE = new TransferProgress() {};

  /** A blob transfer starts; {@code action} is e.g. "pushing", "pulling", "compressing". */
  default void started(Descriptor blob, String action) {}

  /** {@code bytes} of the blob have moved so far. */
  default void advanced(Descriptor blob, long bytes) {}

  /** The blob is done. */
  default void finished(Descriptor blob, Outcome outcome) {}

  /** A line about the whole transfer, e.g. the manifest written. */
  default void message(String line) {}
}
