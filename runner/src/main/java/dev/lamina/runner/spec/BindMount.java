package dev.lamina.runner.spec;

import java.nio.file.Path;
import java.util.Set;

/**
 * A host directory or file made visible in the container: a {@code -v /host:/ctr[:ro]} bind or a
 * volume's data directory, already resolved to a host path.
 *
 * @param source absolute host path
 * @param destination absolute path inside the container
 * @param readOnly mounted read-only
 * @param propagation the mount's propagation ({@code --mount bind-propagation=}), {@code
 *     rprivate} unless given
 */
public record BindMount(Path source, String destination, boolean readOnly, String propagation) {
  /** Docker's {@code bind-propagation} values. */
  public static final Set<String> PROPAGATIONS =
      Set.of("private", "rprivate", "shared", "rshared", "slave", "rslave");

  public BindMount {
    if (!source.isAbsolute()) {
      throw new IllegalArgumentException("bind source must be absolute: " + source);
    }
    ContainerPaths.requireAbsolute(destination);
    propagation = propagation == null ? "rprivate" : propagation;
    if (!PROPAGATIONS.contains(propagation)) {
      throw new IllegalArgumentException(
          "invalid bind-propagation " + propagation + " (one of " + String.join(", ",
              new java.util.TreeSet<>(PROPAGATIONS)) + ")");
    }
  }

  /** A private bind. */
  public BindMount(Path source, String destination, boolean readOnly) {
    this(source, destination, readOnly, null);
  }
}
