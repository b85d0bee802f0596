package dev.lamina.builder.copy;

import dev.lamina.layerfs.overlay.LowerLayers;
import dev.lamina.layerfs.posix.FileNames;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Where the sources of a COPY or ADD are read: the build context (its ignored files invisible,
 * its files owned by root in the image) or the root filesystem of a stage or image (owners kept).
 *
 * @param root the host directory that is {@code /} for the sources
 * @param ignored whether a path relative to the root is hidden (the context's ignore file)
 * @param keepOwners whether files keep their owners (stages and images) or become 0:0 (context)
 * @param isContext whether this is the build context (its file digests are remembered)
 * @param layers the layers an overlay mount at {@code root} shows, or null
 */
public record SourceTree(
    Path root, Predicate<String> ignored, boolean keepOwners, boolean isContext,
    LowerLayers layers) {
  public SourceTree {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(ignored, "ignored");
  }

  /** The build context at {@code root} with {@code ignored} hiding files. */
  public static SourceTree context(Path root, Predicate<String> ignored) {
    return new SourceTree(root, ignored, false, true, null);
  }

  /** A stage's or image's root filesystem at {@code root}. */
  public static SourceTree rootfs(Path root) {
    return new SourceTree(root, rel -> false, true, false, null);
  }

  /**
   * A stage's or image's root filesystem that an overlay mount at {@code root} makes of {@code
   * layers}: a directory source that one layer alone holds is read from that layer's directory,
   * not through the mount, whose every lookup and read costs the kernel more (a third of a {@code
   * COPY --from} of fifty thousand files).
   */
  public static SourceTree mounted(Path root, LowerLayers layers) {
    return new SourceTree(root, rel -> false, true, false, Objects.requireNonNull(layers));
  }

  /**
   * The layer directory that holds exactly what the directory {@code host} (under the root, as
   * {@link dev.lamina.runner.spec.RootFiles#resolve} gives it: no symlink on the way) holds,
   * read in its place; empty where there is none, where the layers cannot tell (a layer that
   * cannot be stat'ed: the mount, which is never wrong, says what it can), or where the tree is
   * not a mount of layers.
   */
  Optional<Path> layerDirectory(Path host) {
    if (layers == null) {
      return Optional.empty();
    }
    try {
      return layers.soleDirectory(FileNames.name(root.relativize(host)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
