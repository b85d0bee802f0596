package dev.lamina.layerfs.layers;

import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.testing.ChildJvm;
import java.nio.file.Path;

/**
 * A second process removing a store's extracted layers, to be killed in the middle.
 *
 * <pre>
 * prune ROOT     removes every extracted layer (no image or container keeps one)
 * </pre>
 */
public final class LayerProcess {
  private LayerProcess() {}

  public static void main(String[] args) throws Exception {
    Store store = Store.open(Path.of(args[1]));
    if (!args[0].equals("prune")) {
      throw new IllegalArgumentException(args[0]);
    }
    ExtractedLayers.of(store).pruneHook(ExtractedLayers.LayerUsers.NONE).prune(store);
  }

  /** Starts this class in a new JVM with the test class path. */
  static Process start(String... args) throws Exception {
    return ChildJvm.start(LayerProcess.class, args);
  }
}
