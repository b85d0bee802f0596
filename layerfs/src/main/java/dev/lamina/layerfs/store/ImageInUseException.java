package dev.lamina.layerfs.store;

import java.io.IOException;
import java.util.List;

/** An image cannot be removed because containers use it. */
public final class ImageInUseException extends IOException {
  private final List<String> users;

  public ImageInUseException(String image, List<String> users) {
    super(
        "image "
            + image
            + " is in use by "
            + String.join(", ", users)
            + " (remove the containers first, or force)");
    this.users = List.copyOf(users);
  }

  /** Who uses the image. */
  public List<String> users() {
    return users;
  }
}
