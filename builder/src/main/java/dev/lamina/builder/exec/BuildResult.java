package dev.lamina.builder.exec;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.ImageConfig;
import java.util.List;

/**
 * A finished build.
 *
 * @param imageId the image id (its config digest)
 * @param manifest its manifest (also when the image has no name)
 * @param names the names it was given
 * @param config its config
 * @param steps how many steps ran or were cached
 * @param cachedSteps how many of them hit the cache
 */
public record BuildResult(
    Digest imageId,
    Descriptor manifest,
    List<String> names,
    ImageConfig config,
    int steps,
    int cachedSteps) {
  public BuildResult {
    names = List.copyOf(names);
  }

  /** The digest of its manifest. */
  public Digest manifestDigest() {
    return manifest.digest();
  }
}
