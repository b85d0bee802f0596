package dev.lamina.builder.copy;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Where the sources of a COPY or ADD are read: the build context (its ignored files invisible,
 * its files owned by root in the image) or the root filesystem of a stage or image (owners kept).
 *
 * @param root the host directory that is {@code /} for the sources
 * @param ignored whether a path relative to the root is hidden (the context's ignore file)
 * @param keepOwners whether files keep their owners (stages and images) or become 0:0 (context)
 * @param isContext whether this is the build context (its file digests are remembered)
 */
public record SourceTree(
    Path root, Predicate<String> ignored, boolean keepOwners, boolean isContext) {
  public SourceTree {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(ignored, "ignored");
  }

  /** The build context at {@code root} with {@code ignored} hiding files. */
  public static SourceTree context(Path root, Predicate<String> ignored) {
    return new SourceTree(root, ignored, false, true);
  }

  /** A stage's or image's root filesystem at {@code root}. */
  public static SourceTree rootfs(Path root) {
    return new SourceTree(root, rel -> false, true, false);
  }
}
