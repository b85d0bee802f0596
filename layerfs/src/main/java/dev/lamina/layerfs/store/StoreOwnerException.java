package dev.lamina.layerfs.store;

import java.io.IOException;
import java.nio.file.Path;

/** A user's command was pointed at a store another user owns (rootless, it could not change it). */
public final class StoreOwnerException extends IOException {
  public StoreOwnerException(Path root) {
    super("the store " + root + " belongs to another user; use a store of your own (--root DIR or"
        + " LAMINA_ROOT)");
  }
}
