package dev.lamina.runner.image;

import dev.lamina.runner.ContainerImage;
import java.io.IOException;

/** Where the runner gets images from: resolves a name or id and readies its layers. */
@FunctionalInterface
public interface ImageProvider {
  /**
   * The image {@code image} (a name, an id or a short id) for this host's platform, with its
   * layers extracted and ready to stack.
   *
   * @throws dev.lamina.layerfs.store.ImageNotFoundException if there is no such image
   * @throws IOException if its content is missing or damaged
   */
  ContainerImage prepare(String image) throws IOException;
}
