package dev.lamina.runner.spec;

/**
 * A {@code --device HOST[:CONTAINER[:PERMISSIONS]]} value: a host device node (or a directory of
 * them) made available in the container, with the cgroup permissions {@code r}, {@code w} and
 * {@code m} (mknod).
 *
 * @param hostPath absolute path of the device on the host
 * @param containerPath absolute path inside the container
 * @param permissions a non-empty subset of {@code rwm}
 */
public record DeviceMapping(String hostPath, String containerPath, String permissions) {
  public DeviceMapping {
    if (hostPath == null || !hostPath.startsWith("/")) {
      throw new IllegalArgumentException("--device: the host path must be absolute: " + hostPath);
    }
    ContainerPaths.requireAbsolute(containerPath);
    if (permissions.isEmpty() || !permissions.matches("[rwm]{1,3}")
        || permissions.chars().distinct().count() != permissions.length()) {
      throw new IllegalArgumentException(
          "--device: invalid permissions \"" + permissions + "\" (a subset of rwm)");
    }
  }

  /**
   * Parses docker's syntax: {@code /dev/x}, {@code /dev/x:/dev/y}, {@code /dev/x:rw} or {@code
   * /dev/x:/dev/y:rw}.
   *
   * @throws IllegalArgumentException for anything else
   */
  public static DeviceMapping parse(String value) {
    String[] parts = value.split(":", -1);
    return switch (parts.length) {
      case 1 -> new DeviceMapping(parts[0], parts[0], "rwm");
      case 2 -> parts[1].startsWith("/")
          ? new DeviceMapping(parts[0], parts[1], "rwm")
          : new DeviceMapping(parts[0], parts[0], parts[1]);
      case 3 -> new DeviceMapping(parts[0], parts[1], parts[2]);
      default -> throw new IllegalArgumentException("invalid --device " + value);
    };
  }
}
