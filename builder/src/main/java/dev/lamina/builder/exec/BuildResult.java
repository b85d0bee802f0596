package dev.lamina.builder.exec;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.ImageConfig;
import java.util.List;

/**
 * A finished build.
 *
 * @param imageId the image id (its config digest)
 * @param manifestDigest the digest of its manifest
 * @param names the names it was given
 * @param config its config
 * @param steps how many steps ran or were cached
 * @param cachedSteps how many of them hit the cache
 */
public record BuildResult(
    Digest imageId,
    Digest manifestDigest,
    List<String> names,
    ImageConfig config,
    int steps,
    int cachedSteps) {
  public BuildResult {
    names = List.copyOf(names);
  }
}
