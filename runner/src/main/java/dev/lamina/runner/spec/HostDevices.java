package dev.lamina.runner.spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Host device nodes as the runtime spec names them: {@code --device} values and, for {@code
 * --privileged}, every device under the host's {@code /dev}. Only read: nothing on the host
 * changes; the runtime makes the container's own nodes in its {@code /dev}.
 */
public final class HostDevices {
  /** Device directories the container has its own of (docker and podman leave them out too). */
  private static final Set<String> OWN = Set.of("pts", "shm", "mqueue");

  private static final int S_IFMT = 0170000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFBLK = 0060000;

  private HostDevices() {}

  /** A device node and the cgroup rule that allows it. */
  public record Resolved(RuntimeSpec.Device device, RuntimeSpec.DeviceRule rule) {}

  /**
   * The device nodes {@code mapping} names: the node itself, or every node under a directory
   * (placed under the container path with the same relative names), as docker does.
   *
   * @throws IllegalArgumentException when the path is neither a device nor a directory
   * @throws IOException when it cannot be read
   */
  public static List<Resolved> resolve(DeviceMapping mapping) throws IOException {
    Path host = Path.of(mapping.hostPath());
    if (!Files.exists(host)) {
      throw new IllegalArgumentException(
          "--device " + mapping.hostPath() + ": no such file or directory");
    }
    List<Resolved> out = new ArrayList<>();
    if (Files.isDirectory(host)) {
      try (Stream<Path> all = Files.walk(host)) {
        for (Path p : all.sorted().toList()) {
          node(p, mapping.containerPath() + "/" + host.relativize(p), mapping.permissions())
              .ifPresent(out::add);
        }
      }
      return out;
    }
    // A symlink such as /dev/disk/by-id/... names the node it leads to, as with docker.
    Path real = host.toRealPath();
    out.add(
        node(real, mapping.containerPath(), mapping.permissions())
            .orElseThrow(
                () -> new IllegalArgumentException(
                    "--device " + mapping.hostPath() + " is not a device")));
    return out;
  }

  /** Every device node under {@code devDir} (the host's {@code /dev}), for {@code --privileged}. */
  public static List<RuntimeSpec.Device> all(Path devDir) throws IOException {
    List<RuntimeSpec.Device> out = new ArrayList<>();
    if (!Files.isDirectory(devDir)) {
      return out;
    }
    try (Stream<Path> walk = Files.walk(devDir)) {
      for (Path p : walk.sorted().toList()) {
        Path rel = devDir.relativize(p);
        if (rel.getNameCount() > 0 && OWN.contains(rel.getName(0).toString())
            || rel.toString().equals("console") || rel.toString().equals("ptmx")) {
          continue; // the container's own pty and console, made by the runtime
        }
        node(p, "/dev/" + rel, "rwm").ifPresent(r -> out.add(r.device()));
      }
    }
    return out;
  }

  private static java.util.Optional<Resolved> node(Path p, String containerPath, String access)
      throws IOException {
    if (Files.isSymbolicLink(p)) {
      return java.util.Optional.empty();
    }
    int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
    String type =
        switch (mode & S_IFMT) {
          case S_IFCHR -> "c";
          case S_IFBLK -> "b";
          default -> null;
        };
    if (type == null) {
      return java.util.Optional.empty();
    }
    long rdev = (Long) Files.getAttribute(p, "unix:rdev", LinkOption.NOFOLLOW_LINKS);
    // glibc's gnu_dev_major/minor: the 64-bit dev_t splits both numbers in two parts.
    long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
    long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
    int uid = (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    int gid = (Integer) Files.getAttribute(p, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    return java.util.Optional.of(
        new Resolved(
            new RuntimeSpec.Device(
                ContainerPaths.clean(containerPath), type, major, minor, mode & 07777, uid, gid),
            new RuntimeSpec.DeviceRule(true, type, major, minor, access)));
  }
}
