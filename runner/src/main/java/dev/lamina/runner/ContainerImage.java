package dev.lamina.runner;

import dev.lamina.layerfs.oci.ImageConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * What the runner needs of an image: its name, its id, its config, and its layers already
 * extracted in overlay format. This is the seam to the image store: whoever resolves a reference
 * and extracts layers builds one of these.
 *
 * @param reference the name the user gave ({@code localhost/hello:latest}), shown by {@code ps}
 * @param imageId the config digest, {@code sha256:...}
 * @param config the image config (Entrypoint, Cmd, Env, User, Volumes, StopSignal, ...)
 * @param lowerDirsTopFirst the extracted layer directories, the top-most (last) layer first
 * @param plainCopy null, or, where layers cannot be extracted in overlay format (a store on a
 *     filesystem that refuses overlay's whiteouts, such as overlayfs itself), what writes the
 *     image's root filesystem as a plain directory; {@code lowerDirsTopFirst} is then one empty
 *     directory
 */
public record ContainerImage(
    String reference,
    String imageId,
    ImageConfig config,
    List<Path> lowerDirsTopFirst,
    PlainCopy plainCopy) {

  /** Writes an image's root filesystem, layer by layer, into an empty directory. */
  @FunctionalInterface
  public interface PlainCopy {
    void into(Path emptyDir) throws IOException;
  }

  /** An image whose layers are extracted. */
  public ContainerImage(
      String reference, String imageId, ImageConfig config, List<Path> lowerDirsTopFirst) {
    this(reference, imageId, config, lowerDirsTopFirst, null);
  }

  public ContainerImage {
    lowerDirsTopFirst = List.copyOf(lowerDirsTopFirst);
    if (lowerDirsTopFirst.isEmpty()) {
      throw new IllegalArgumentException("an image needs at least one layer directory");
    }
  }
}
