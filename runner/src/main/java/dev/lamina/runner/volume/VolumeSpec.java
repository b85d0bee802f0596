package dev.lamina.runner.volume;

import dev.lamina.runner.spec.ContainerPaths;
import java.nio.file.Path;

/**
 * A {@code -v} argument: {@code NAME:/ctr[:ro|rw]} for a named volume, {@code /host:/ctr[:ro|rw]}
 * for a bind, or a bare {@code /ctr} for an anonymous volume.
 */
public sealed interface VolumeSpec {
  /** Where it appears inside the container (absolute, cleaned). */
  String destination();

  boolean readOnly();

  /**
   * A named (or anonymous, when {@code name} is null) volume.
   *
   * @param noCopy {@code volume-nocopy}: an empty volume is not filled from the image
   */
  record Named(String name, String destination, boolean readOnly, boolean noCopy)
      implements VolumeSpec {
    public Named(String name, String destination, boolean readOnly) {
      this(name, destination, readOnly, false);
    }
  }

  /**
   * A host directory or file.
   *
   * @param propagation {@code bind-propagation}; null for {@code rprivate}
   */
  record Bind(Path source, String destination, boolean readOnly, String propagation)
      implements VolumeSpec {
    public Bind(Path source, String destination, boolean readOnly) {
      this(source, destination, readOnly, null);
    }
  }

  /**
   * Parses a {@code -v} value.
   *
   * @throws VolumeException for an invalid name, a relative container path or unknown options
   */
  static VolumeSpec parse(String spec) throws VolumeException {
    String[] parts = spec.split(":", -1);
    if (parts.length == 1) {
      return new Named(null, dest(parts[0], spec), false);
    }
    if (parts.length > 3 || parts[0].isEmpty()) {
      throw new VolumeException("invalid volume specification: " + spec);
    }
    boolean ro = parts.length == 3 && readOnly(parts[2], spec).orElse(false);
    String dest = dest(parts[1], spec);
    if (parts[0].startsWith("/")) {
      return new Bind(Path.of(parts[0]).normalize(), dest, ro);
    }
    if (parts[0].startsWith(".")) {
      throw new VolumeException("bind source must be an absolute path: " + parts[0]);
    }
    return new Named(Volumes.validateName(parts[0]), dest, ro);
  }

  /**
   * The mode the options of a bind or volume ({@code ro}, {@code rw}, {@code z}, {@code Z},
   * comma-separated) ask for: read-only, read-write, or empty when they name none.
   *
   * @throws VolumeException for an unknown option, or options that contradict each other (as
   *     docker's parser: at most one of ro/rw and one of z/Z)
   */
  static java.util.Optional<Boolean> readOnly(String options, String spec)
      throws VolumeException {
    Boolean ro = null;
    int modes = 0;
    int labels = 0;
    for (String opt : options.split(",")) {
      switch (opt) {
        case "ro", "rw" -> {
          ro = opt.equals("ro");
          modes++;
        }
        case "z", "Z" -> labels++;
        case "" -> { }
        default -> throw new VolumeException(
            "invalid volume option '" + opt + "' in " + spec + " (supported: ro, rw)");
      }
    }
    if (modes > 1 || labels > 1) {
      throw new VolumeException("invalid mode: " + options + " in volume " + spec
          + " (give one of ro and rw" + (labels > 1 ? ", one of z and Z" : "") + ")");
    }
    return java.util.Optional.ofNullable(ro);
  }

  private static String dest(String d, String spec) throws VolumeException {
    if (!d.startsWith("/")) {
      throw new VolumeException("container path must be absolute in volume " + spec);
    }
    String clean = ContainerPaths.clean(d);
    if (clean.equals("/")) {
      throw new VolumeException("a volume cannot be mounted on / in " + spec);
    }
    return clean;
  }
}
