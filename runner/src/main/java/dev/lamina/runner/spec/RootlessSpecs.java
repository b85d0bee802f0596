package dev.lamina.runner.spec;

import dev.lamina.layerfs.posix.Rootless;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a runtime spec needs when the runtime runs in an unprivileged user's namespace (as it does
 * for podman's rootless containers, which run in the user's namespace rather than one of their
 * own). The kernel lets a user namespace mount {@code sysfs} only with a network namespace it
 * owns, so a container on the host's network gets the host's {@code /sys} bound read-only
 * instead, cgroups included, as runc's rootless spec and podman do. Where only the user's own id
 * is mapped (no subordinate ranges), {@code /dev/pts} cannot be given group 5, which does not
 * exist there.
 */
public final class RootlessSpecs {
  private RootlessSpecs() {}

  /** {@code spec} as this process can have it run: unchanged unless it works for a user. */
  public static RuntimeSpec forThisProcess(RuntimeSpec spec) throws IOException {
    if (!Rootless.active() || !Rootless.inUserNamespace()) {
      return spec;
    }
    return adapt(spec, mappedGids(Files.readString(Path.of("/proc/self/gid_map"))));
  }

  /** {@code spec} for a user namespace in which {@code mappedGids} group ids exist. */
  static RuntimeSpec adapt(RuntimeSpec spec, long mappedGids) {
    // Loops, not lambdas: the class-data archive is trained as root, where this never runs, and
    // a lambda's class would be made at each of a user's starts.
    boolean ownNetwork = false;
    if (spec.linux() != null) {
      for (RuntimeSpec.Namespace n : spec.linux().namespaces()) {
        ownNetwork |= n.type().equals("network");
      }
    }
    List<RuntimeSpec.Mount> mounts = new ArrayList<>();
    for (RuntimeSpec.Mount m : spec.mounts()) {
      if (!ownNetwork && m.type().equals("sysfs")) {
        mounts.add(new RuntimeSpec.Mount(m.destination(), "bind", "/sys",
            List.of("rbind", "nosuid", "noexec", "nodev", "ro")));
      } else if (!ownNetwork && m.type().equals("cgroup")) {
        continue; // the host's /sys, bound above, holds its cgroups
      } else if (m.type().equals("devpts") && mappedGids <= 5) {
        List<String> options = new ArrayList<>();
        for (String o : m.options()) {
          if (!o.startsWith("gid=")) {
            options.add(o);
          }
        }
        mounts.add(new RuntimeSpec.Mount(m.destination(), m.type(), m.source(),
            List.copyOf(options)));
      } else {
        mounts.add(m);
      }
    }
    return new RuntimeSpec(spec.ociVersion(), spec.process(), spec.root(), spec.hostname(),
        List.copyOf(mounts), spec.linux());
  }

  /** How many ids a {@code gid_map} maps. */
  static long mappedGids(String map) {
    long n = 0;
    for (String line : map.split("\n")) {
      String[] f = line.strip().split("\\s+");
      if (f.length == 3) {
        n += Long.parseLong(f[2]);
      }
    }
    return n;
  }
}
