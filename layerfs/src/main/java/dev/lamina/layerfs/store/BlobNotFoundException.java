package dev.lamina.layerfs.store;

import dev.lamina.layerfs.digest.Digest;
import java.io.IOException;

/** A blob that should be in a store is not there. */
public final class BlobNotFoundException extends IOException {
  private final Digest digest;

  public BlobNotFoundException(Digest digest) {
    super("blob " + digest + " is missing from the store");
    this.digest = digest;
  }

  /** The missing blob. */
  public Digest digest() {
    return digest;
  }
}
