package dev.lamina.cli;

import dev.lamina.layerfs.store.StoreUsage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The bytes a prune frees of things it removes whole with their directories (containers,
 * volumes): each directory is measured as its thing is chosen, before the removal takes it, and
 * only the things then removed count.
 */
final class RemovedSizes {
  /** Where a chosen thing's directory is. */
  interface Directory {
    Path get() throws IOException;
  }

  private final Map<String, Long> sizes = new HashMap<>();

  /** Measures what {@code dir} holds, as {@code name}'s; true, so as to end a chooser's test. */
  boolean chosen(String name, Directory dir) {
    try {
      sizes.put(name, StoreUsage.du(dir.get()));
    } catch (IOException unmeasured) {
      // Removed all the same; its bytes are not counted.
    }
    return true;
  }

  /** The bytes the things named {@code removed} held. */
  long of(List<String> removed) {
    long bytes = 0;
    for (String name : removed) {
      bytes += sizes.getOrDefault(name, 0L);
    }
    return bytes;
  }
}
