package dev.lamina.runner.spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/** Linux capability names, Docker's default set, and {@code --cap-add}/{@code --cap-drop}. */
public final class Capabilities {
  /** Every capability Linux 6.x knows, in bit order (CAP_CHOWN is bit 0). */
  public static final List<String> ALL =
      List.of(
          "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
          "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
          "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
          "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
          "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
          "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
          "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
          "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
          "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE");

  /**
   * The capabilities this process's {@code CapEff} or {@code CapBnd} line (of {@code
   * /proc/self/status}) holds: what a container may get at most ({@code --privileged} gets
   * these, as podman gives it its own bounding set), and whether limits can be raised.
   *
   * @param field {@code CapEff} or {@code CapBnd}
   */
  public static List<String> ofThisProcess(String field) throws java.io.IOException {
    for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
      if (line.startsWith(field + ":")) {
        long mask = Long.parseUnsignedLong(line.substring(field.length() + 1).strip(), 16);
        List<String> out = new java.util.ArrayList<>();
        for (int i = 0; i < ALL.size(); i++) {
          if ((mask & (1L << i)) != 0) {
            out.add(ALL.get(i));
          }
        }
        return out;
      }
    }
    return ALL;
  }

  /** Docker's default set (moby {@code oci/caps/defaults.go}): bounding mask 0xa80425fb. */
  public static final Set<String> DOCKER_DEFAULT =
      Set.of(
          "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
          "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
          "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE");

  private Capabilities() {}

  /**
   * {@code name} in canonical form: upper case with the {@code CAP_} prefix, or {@code ALL}.
   *
   * @throws IllegalArgumentException for a name Linux does not know
   */
  public static String normalize(String name) {
    String n = name.trim().toUpperCase(Locale.ROOT);
    if (n.equals("ALL")) {
      return n;
    }
    if (!n.startsWith("CAP_")) {
      n = "CAP_" + n;
    }
    if (!ALL.contains(n)) {
      throw new IllegalArgumentException("unknown capability: " + name);
    }
    return n;
  }

  /**
   * Docker's rules (moby {@code TweakCapabilities}): {@code --cap-add ALL} gives every capability
   * except the dropped ones; {@code --cap-drop ALL} gives exactly the added ones; otherwise the
   * default set minus the dropped plus the added (a name both added and dropped is kept). The
   * result is in bit order.
   *
   * @throws IllegalArgumentException for an unknown name
   */
  public static List<String> effectiveSet(Set<String> add, Set<String> drop) {
    Set<String> adds = new TreeSet<>();
    add.forEach(a -> adds.add(normalize(a)));
    Set<String> drops = new TreeSet<>();
    drop.forEach(d -> drops.add(normalize(d)));
    Set<String> caps = new TreeSet<>();
    if (adds.contains("ALL")) {
      caps.addAll(ALL);
      caps.removeAll(drops);
    } else if (drops.contains("ALL")) {
      caps.addAll(adds);
    } else {
      caps.addAll(DOCKER_DEFAULT);
      caps.removeAll(drops);
      caps.addAll(adds);
    }
    List<String> ordered = new ArrayList<>();
    for (String c : ALL) {
      if (caps.contains(c)) {
        ordered.add(c);
      }
    }
    return ordered;
  }

  /** The bit mask of {@code caps}, as {@code CapBnd} in /proc/PID/status shows it. */
  public static long mask(List<String> caps) {
    long m = 0;
    for (String c : caps) {
      m |= 1L << ALL.indexOf(normalize(c));
    }
    return m;
  }
}
