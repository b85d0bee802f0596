package dev.lamina.runner.image;

import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.oci.Platform;
import dev.lamina.layerfs.ref.Reference;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import dev.lamina.runner.ContainerImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Images from the Lamina store: the host platform's manifest, its layers extracted once into the
 * store's {@code layers/} (see {@link ExtractedLayers}).
 *
 * <p>Callers creating a container should hold a {@link Store#lease()} from {@code prepare} until
 * the container's record exists, so a concurrent {@code system prune} cannot remove an extracted
 * layer in between.
 */
public final class StoreImageProvider implements ImageProvider {
  private final Store store;
  private final Platform platform;

  public StoreImageProvider(Store store) {
    this(store, Platform.host());
  }

  public StoreImageProvider(Store store, Platform platform) {
    this.store = store;
    this.platform = platform;
  }

  @Override
  public ContainerImage prepare(String image) throws IOException {
    ImageDetails details = store.images().forPlatform(image, platform);
    ExtractedLayers layers = ExtractedLayers.of(store);
    List<Path> lowers = new ArrayList<>(layers.ensureAll(details.manifest(), details.config()));
    if (lowers.isEmpty()) {
      lowers.add(layers.empty());
    }
    Collections.reverse(lowers); // overlayfs wants the top-most layer first
    return new ContainerImage(
        displayName(image, details), details.image().id().toString(), details.config(), lowers);
  }

  /** What {@code ps} shows: the normalised name the user gave, or the image id. */
  private static String displayName(String image, ImageDetails details) {
    if (Reference.isValid(image)) {
      String full = Reference.parse(image).toString();
      if (details.image().names().contains(full)) {
        return full;
      }
    }
    return details.image().names().isEmpty()
        ? details.image().id().shortHex()
        : details.image().names().get(0);
  }
}
