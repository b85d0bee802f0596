package dev.lamina.runner.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Reads the cgroup runc made for a container. Without a {@code cgroupsPath} in the spec, runc
 * places the container at {@code <its own cgroup>/<id>} in each hierarchy; runc is this process's
 * child, so its cgroup is this process's own.
 */
public final class Cgroups {
  private static final Path MOUNT = Path.of("/sys/fs/cgroup");

  private Cgroups() {}

  /**
   * How many times the kernel's OOM killer killed a process of the container {@code id}: from
   * {@code memory.oom_control} (cgroup v1) or {@code memory.events} (v2). Empty when the cgroup or
   * the counter is not there (no memory controller, or the container's cgroup already removed).
   */
  public static Optional<Long> oomKills(String id) {
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc/self/cgroup"), StandardCharsets.UTF_8)) {
        String[] f = line.split(":", 3);
        if (f.length != 3) {
          continue;
        }
        Optional<Long> n = Optional.empty();
        if (f[1].equals("memory")) {
          n = counter(MOUNT.resolve("memory" + f[2]).resolve(id).resolve("memory.oom_control"));
        } else if (f[0].equals("0") && f[1].isEmpty()) {
          n = counter(MOUNT.resolve("." + f[2]).normalize().resolve(id).resolve("memory.events"));
        }
        if (n.isPresent()) {
          return n;
        }
      }
    } catch (IOException unreadable) {
      // No cgroup information on this host.
    }
    return Optional.empty();
  }

  private static Optional<Long> counter(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      if (line.startsWith("oom_kill ")) {
        return Optional.of(Long.parseLong(line.substring("oom_kill ".length()).strip()));
      }
    }
    return Optional.empty();
  }

  /**
   * The controllers an unprivileged user may set limits with: those of this process's cgroup
   * when cgroup v2 is the only hierarchy ({@code cgroup.controllers} at the mount's top) and that
   * cgroup is the user's own, as systemd delegates it ({@code Delegate=yes}). None on cgroup v1 or
   * a hybrid host, nor where nothing was delegated.
   */
  public static java.util.Set<String> delegatedControllers() {
    try {
      if (!Files.isRegularFile(MOUNT.resolve("cgroup.controllers"))) {
        return java.util.Set.of(); // v1 or hybrid: a user cannot be given v1 controllers
      }
      for (String line :
          Files.readAllLines(Path.of("/proc/self/cgroup"), StandardCharsets.UTF_8)) {
        if (!line.startsWith("0::")) {
          continue;
        }
        Path own = MOUNT.resolve("." + line.substring(3)).normalize();
        Path controllers = own.resolve("cgroup.controllers");
        if (Files.isWritable(own.resolve("cgroup.subtree_control"))
            && Files.isRegularFile(controllers)) {
          return java.util.Set.of(Files.readString(controllers).strip().split("\\s+"));
        }
      }
    } catch (IOException unreadable) {
      // No cgroup information: nothing delegated.
    }
    return java.util.Set.of();
  }
}
