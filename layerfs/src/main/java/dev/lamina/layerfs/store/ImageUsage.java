package dev.lamina.layerfs.store;

import dev.lamina.layerfs.digest.Digest;
import java.io.IOException;
import java.util.List;

/**
 * Tells the store which images are in use (by containers), so removing one is refused without
 * force. Implemented by whoever owns containers.
 */
@FunctionalInterface
public interface ImageUsage {
  /** Nothing uses any image. */
  ImageUsage NONE = (digest, id) -> List.of();

  /**
   * The users (e.g. container ids) of the image with manifest (or index) digest {@code digest} and
   * id {@code id}; empty if none.
   *
   * @throws IOException if the owner's records cannot be read
   */
  List<String> usersOf(Digest digest, Digest id) throws IOException;
}
