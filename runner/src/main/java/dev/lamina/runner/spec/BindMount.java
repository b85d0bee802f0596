package dev.lamina.runner.spec;

import java.nio.file.Path;

/**
 * A host directory or file made visible in the container: a {@code -v /host:/ctr[:ro]} bind or a
 * volume's data directory, already resolved to a host path.
 *
 * @param source absolute host path
 * @param destination absolute path inside the container
 * @param readOnly mounted read-only
 */
public record BindMount(Path source, String destination, boolean readOnly) {
  public BindMount {
    if (!source.isAbsolute()) {
      throw new IllegalArgumentException("bind source must be absolute: " + source);
    }
    ContainerPaths.requireAbsolute(destination);
  }
}
