package dev.lamina.runner.image;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.Platform;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import dev.lamina.runner.ContainerImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

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
    List<Path> lowers;
    try {
      lowers = new ArrayList<>(layers.ensureAll(details.manifest(), details.config()));
    } catch (IOException extractionFailed) {
      // A store on a filesystem overlayfs refuses as upper (overlayfs itself) may also refuse
      // the whiteout devices of the overlay format: its containers get a plain copy made from
      // the layer blobs instead (see Containers' flattened fallback).
      Optional<IOException> refused = OverlayMount.refusal(store.tmpDir(), layers.empty());
      if (refused.isEmpty()) {
        throw extractionFailed;
      }
      List<Descriptor> blobs = details.manifest().layers();
      List<Digest> diffIds = details.config().diffIds();
      return new ContainerImage(
          displayName(store.images().nameOf(image), details),
          details.image().id().toString(),
          details.config(),
          List.of(layers.empty()),
          root -> {
            for (int i = 0; i < blobs.size(); i++) {
              layers.applyOnto(blobs.get(i), diffIds.get(i), root);
            }
          });
    }
    if (lowers.isEmpty()) {
      lowers.add(layers.empty());
    }
    Collections.reverse(lowers); // overlayfs wants the top-most layer first
    return new ContainerImage(
        displayName(store.images().nameOf(image), details), details.image().id().toString(),
        details.config(), lowers);
  }

  /** What {@code ps} shows: the stored name the user's name stands for, or the image id. */
  private static String displayName(String named, ImageDetails details) {
    if (named != null && details.image().names().contains(named)) {
      return named;
    }
    return details.image().names().isEmpty()
        ? details.image().id().shortHex()
        : details.image().names().get(0);
  }
}
