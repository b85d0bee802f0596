package dev.lamina.cli;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.store.ImageInUseException;
import dev.lamina.layerfs.store.ImageNotFoundException;
import dev.lamina.layerfs.store.ImageUsage;
import dev.lamina.layerfs.store.Images;
import dev.lamina.layerfs.store.Images.ImageSummary;
import dev.lamina.layerfs.store.Images.RemovedImage;
import dev.lamina.layerfs.store.Store;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code image prune} and {@code system prune} remove of the images: the dangling ones
 * (whose every name has no tag, as {@code images --filter dangling=true} lists them), or with
 * {@code all} every one; never one a container uses, running or not. Each goes as {@code rmi}
 * removes it: all its names, then the blobs and extracted layers nothing else uses.
 */
final class ImagePrune {
  private ImagePrune() {}

  /** Docker's lines ({@code untagged: NAME}, {@code deleted: DIGEST}) and the bytes freed. */
  record Result(List<String> lines, long bytesFreed) {}

  static Result run(Store store, boolean all, PruneFilter filter) throws IOException {
    ImageUsage usage = Usage.of(store);
    Images images = store.images(usage, Hooks.released(store));
    Map<Digest, List<ImageSummary>> byImage = new LinkedHashMap<>();
    for (ImageSummary i : images.list()) {
      byImage.computeIfAbsent(i.digest(), d -> new ArrayList<>()).add(i);
    }
    List<String> lines = new ArrayList<>();
    long freed = 0;
    for (List<ImageSummary> names : byImage.values()) {
      ImageSummary image = names.get(0);
      boolean dangling = names.stream().allMatch(i -> i.tag().equals("<none>"));
      if (!all && !dangling
          || !filter.matches(image.created(), ImageFilter.labels(store, image.id().toString()))
          || !usage.usersOf(image.digest(), image.id()).isEmpty()) {
        continue;
      }
      RemovedImage removed;
      try {
        // By digest, all names at once. Without force (one name) the store checks the users
        // again as it removes it; with several, the check above is the one there is, as rmi's.
        removed = images.remove(image.digest().toString(), names.size() > 1);
      } catch (ImageInUseException | ImageNotFoundException meanwhile) {
        continue; // a container took it up, or it went, since the listing
      }
      removed.untagged().forEach(n -> lines.add("untagged: " + n));
      removed.deleted().forEach(d -> lines.add("deleted: " + d));
      freed += removed.bytesFreed();
    }
    return new Result(lines, freed);
  }
}
