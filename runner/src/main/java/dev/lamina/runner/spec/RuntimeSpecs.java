package dev.lamina.runner.spec;

import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.oci.ImageConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the OCI runtime spec of a container from its image config and the user's options, with
 * Docker's defaults: its capability set, masked and read-only paths, default mounts, a seccomp
 * filter (see {@link DefaultSeccomp}), and its Entrypoint/Cmd rules.
 */
public final class RuntimeSpecs {
  /** Docker's PATH when the image sets none. */
  public static final String DEFAULT_PATH =
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  /** Paths hidden from the container (moby {@code oci/defaults.go}). */
  public static final List<String> MASKED_PATHS =
      List.of(
          "/proc/asound",
          "/proc/acpi",
          "/proc/interrupts",
          "/proc/kcore",
          "/proc/keys",
          "/proc/latency_stats",
          "/proc/timer_list",
          "/proc/timer_stats",
          "/proc/sched_debug",
          "/proc/scsi",
          "/sys/firmware",
          "/sys/devices/virtual/powercap");

  /** Paths the container sees read-only (moby {@code oci/defaults.go}). */
  public static final List<String> READONLY_PATHS =
      List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

  /** RLIMIT_NOFILE the container gets, unless the host's hard limit is lower. */
  public static final long DEFAULT_NOFILE = 1024 * 1024;

  private static final long CPU_PERIOD_MICROS = 100_000;

  private RuntimeSpecs() {}

  /**
   * The runtime spec for a container of {@code image} with {@code options}, whose root filesystem
   * (already assembled) is {@code rootfs}. The user is resolved in {@code rootfs}'s own account
   * files.
   *
   * @throws IllegalArgumentException when there is no command to run, or an option is malformed
   *     (a relative working directory, an unknown capability, a bad tmpfs entry)
   * @throws UnknownUserException when the user or group name is not in the image
   * @throws IOException when the image's account files cannot be read safely
   */
  public static RuntimeSpec fromImageConfig(
      ImageConfig image, ContainerOptions options, Path rootfs) throws IOException {
    ContainerConfig config = image.config();
    List<String> args = command(config, options);
    if (options.init() != null) {
      args = InitBinary.wrap(args);
    }
    String userSpec = options.user() != null ? options.user() : config.user();
    ResolvedUser user = ImageUsers.resolve(rootfs, userSpec);
    String hostname = options.hostname() != null ? options.hostname() : "lamina";
    // --privileged gives every capability (and --cap-drop still takes some away, as in docker).
    List<String> caps =
        options.privileged()
            ? privilegedSet(options.capDrop())
            : Capabilities.effectiveSet(options.capAdd(), options.capDrop());
    // Docker gives a non-root user no effective or permitted capabilities (only bounding):
    // CapEff is 0 for uid != 0 unless it gains them through file capabilities or setuid.
    List<String> held = user.uid() == 0 ? caps : List.of();
    RuntimeSpec.Process process =
        new RuntimeSpec.Process(
            options.terminal(),
            // Docker's size for a terminal no client has sized yet.
            options.terminal() ? new RuntimeSpec.ConsoleSize(24, 80) : null,
            new RuntimeSpec.User(
                user.uid(),
                user.gid(),
                user.additionalGids().isEmpty() ? null : user.additionalGids()),
            args,
            env(config, options, hostname, user),
            workdir(config, options),
            new RuntimeSpec.Capabilities(caps, held, held, List.of()),
            rlimits(HostLimits.current(), options.ulimits()),
            options.noNewPrivileges());
    Devices devices = devices(options);
    return new RuntimeSpec(
        RuntimeSpec.OCI_VERSION,
        process,
        new RuntimeSpec.Root(rootfs.toAbsolutePath().toString(), options.readOnly()),
        hostname,
        mounts(options),
        new RuntimeSpec.Linux(
            namespaces(options.network(), options.networkNamespace()),
            null,
            null,
            resources(options, devices.rules()),
            null,
            options.privileged() ? null : MASKED_PATHS,
            options.privileged() ? null : READONLY_PATHS,
            options.privileged() ? null : seccomp(options.seccomp(), caps),
            devices.nodes().isEmpty() ? null : devices.nodes()),
        options.annotations().isEmpty() ? null : options.annotations());
  }

  /** The device nodes a container gets beyond the runtime's defaults, and their cgroup rules. */
  record Devices(List<RuntimeSpec.Device> nodes, List<RuntimeSpec.DeviceRule> rules) {}

  /**
   * {@code --device} nodes with a rule each; with {@code --privileged} every host device and one
   * rule allowing all, as docker's privileged mode.
   */
  static Devices devices(ContainerOptions options) throws IOException {
    List<RuntimeSpec.Device> nodes = new ArrayList<>();
    List<RuntimeSpec.DeviceRule> rules = new ArrayList<>();
    if (options.privileged()) {
      nodes.addAll(HostDevices.all(Path.of("/dev")));
      rules.add(new RuntimeSpec.DeviceRule(true, null, null, null, "rwm"));
    }
    for (DeviceMapping d : options.devices()) {
      for (HostDevices.Resolved r : HostDevices.resolve(d)) {
        nodes.removeIf(n -> n.path().equals(r.device().path()));
        nodes.add(r.device());
        rules.add(r.rule());
      }
    }
    if (!rules.isEmpty() && !options.privileged()) {
      // As docker's spec: deny all first; the runtime adds its default devices after.
      rules.add(0, new RuntimeSpec.DeviceRule(false, null, null, null, "rwm"));
    }
    return new Devices(nodes, rules);
  }

  /**
   * {@code --privileged}: every capability this process may hand on (its own bounding set: a
   * runtime cannot give more, and would fail), less {@code --cap-drop}.
   */
  private static List<String> privilegedSet(Set<String> drop) throws IOException {
    List<String> held = Capabilities.ofThisProcess("CapBnd");
    List<String> out = new ArrayList<>();
    for (String c : Capabilities.effectiveSet(Set.of("ALL"), drop)) {
      if (held.contains(c)) {
        out.add(c);
      }
    }
    return out;
  }

  /** The filter {@code policy} gives a container whose bounding set is {@code caps}. */
  static RuntimeSpec.Seccomp seccomp(SeccompPolicy policy, List<String> caps) throws IOException {
    if (policy.unconfined()) {
      return null;
    }
    if (policy.profile() != null) {
      return SeccompProfileFile.forHost(caps).read(policy.profile());
    }
    return DefaultSeccomp.forCapabilities(caps);
  }

  /**
   * Docker's rules: {@code --entrypoint} replaces the image's Entrypoint and clears its Cmd; words
   * after the image replace Cmd; the command is Entrypoint followed by Cmd.
   *
   * @throws IllegalArgumentException when both are empty
   */
  public static List<String> command(ContainerConfig config, ContainerOptions options) {
    List<String> entrypoint;
    List<String> cmd;
    if (options.entrypoint() != null) {
      entrypoint = options.entrypoint();
      cmd = options.args();
    } else {
      entrypoint = config.entrypoint() == null ? List.of() : config.entrypoint();
      cmd = !options.args().isEmpty() ? options.args() : orEmpty(config.cmd());
    }
    List<String> args = new ArrayList<>(entrypoint);
    args.addAll(cmd);
    if (args.isEmpty()) {
      throw new IllegalArgumentException(
          "no command specified: the image has no Entrypoint or Cmd");
    }
    return List.copyOf(args);
  }

  private static List<String> orEmpty(List<String> l) {
    return l == null ? List.of() : l;
  }

  /**
   * The environment: the image's Env, then {@code -e} entries (a later key wins), PATH when
   * neither set it, HOSTNAME, and HOME from the user's passwd entry unless set.
   */
  static List<String> env(
      ContainerConfig config, ContainerOptions options, String hostname, ResolvedUser user) {
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("PATH", DEFAULT_PATH.substring("PATH=".length()));
    vars.put("HOSTNAME", hostname);
    for (String e : orEmpty(config.env())) {
      put(vars, e);
    }
    for (String e : options.env()) {
      put(vars, e);
    }
    vars.putIfAbsent("HOME", user.home());
    if (options.terminal()) {
      vars.putIfAbsent("TERM", "xterm");
    }
    List<String> out = new ArrayList<>();
    vars.forEach((k, v) -> out.add(k + "=" + v));
    return out;
  }

  private static void put(Map<String, String> vars, String entry) {
    int eq = entry.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("environment entry is not KEY=VALUE: " + entry);
    }
    vars.put(entry.substring(0, eq), entry.substring(eq + 1));
  }

  private static String workdir(ContainerConfig config, ContainerOptions options) {
    String w = options.workdir() != null ? options.workdir() : config.workingDir();
    if (w == null || w.isEmpty()) {
      return "/";
    }
    if (!w.startsWith("/")) {
      throw new IllegalArgumentException("working directory must be absolute: " + w);
    }
    // Lexically cleaned; runc then creates and enters it inside the root (securejoin).
    return ContainerPaths.clean(w);
  }

  /**
   * RLIMIT_NOFILE at {@link #DEFAULT_NOFILE}, lowered to the host's hard limit, then {@code
   * --ulimit} values. A value above the host's hard limit needs CAP_SYS_RESOURCE: without it, it
   * is refused here rather than by the runtime, late.
   */
  static List<RuntimeSpec.Rlimit> rlimits(HostLimits host, List<Ulimit> ulimits)
      throws IOException {
    long nofile = host.capped("Max open files", DEFAULT_NOFILE);
    Map<String, RuntimeSpec.Rlimit> out = new LinkedHashMap<>();
    out.put("RLIMIT_NOFILE", new RuntimeSpec.Rlimit("RLIMIT_NOFILE", nofile, nofile));
    // Raising a hard limit takes CAP_SYS_RESOURCE, which even root may lack (in a container).
    boolean root =
        ulimits.isEmpty() || Capabilities.ofThisProcess("CapEff").contains("CAP_SYS_RESOURCE");
    for (Ulimit u : ulimits) {
      HostLimits.Limit h = host.get(u.procName()).orElse(null);
      if (!root && h != null && h.hard() != HostLimits.Limit.UNLIMITED
          && (u.hard() == Ulimit.UNLIMITED || u.hard() > h.hard())) {
        throw new IllegalArgumentException(
            "--ulimit " + u.type() + ": the hard limit " + limitText(u.hard())
                + " is above this host's " + h.hard()
                + ", which only a process with CAP_SYS_RESOURCE may raise");
      }
      out.put(u.type(), new RuntimeSpec.Rlimit(u.type(), u.soft(), u.hard()));
    }
    return List.copyOf(out.values());
  }

  private static String limitText(long v) {
    return v == Ulimit.UNLIMITED ? "unlimited" : Long.toString(v);
  }

  /** Docker's default mounts, then tmpfs entries, then binds and volumes. */
  static List<RuntimeSpec.Mount> mounts(ContainerOptions options) {
    List<RuntimeSpec.Mount> m = new ArrayList<>();
    m.add(mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev"));
    String shm = "size=" + (options.shmSize() == null ? "65536k" : options.shmSize() / 1024 + "k");
    // --privileged: /sys and the cgroup tree writable, as docker mounts them.
    String sysMode = options.privileged() ? "rw" : "ro";
    m.add(mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"));
    m.add(
        mount(
            "/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666",
            "mode=0620", "gid=5"));
    m.add(
        mount(
            "/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", shm));
    m.add(mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"));
    m.add(mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", sysMode));
    m.add(
        mount(
            "/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime",
            sysMode));
    if (options.init() != null) {
      m.add(
          new RuntimeSpec.Mount(
              InitBinary.CONTAINER_PATH, "bind", options.init().toString(),
              List.of("bind", "ro", "nosuid", "nodev")));
    }
    for (String t : options.tmpfs()) {
      m.add(tmpfs(t));
    }
    for (BindMount b : options.binds()) {
      List<String> opts = new ArrayList<>(List.of("rbind", b.propagation()));
      if (b.readOnly()) {
        opts.add("ro");
      }
      m.add(
          new RuntimeSpec.Mount(
              ContainerPaths.clean(b.destination()), "bind", b.source().toString(), opts));
    }
    return m;
  }

  private static RuntimeSpec.Mount mount(String dest, String type, String source, String... opts) {
    return new RuntimeSpec.Mount(dest, type, source, List.of(opts));
  }

  /** {@code --tmpfs /path[:opts]}: Docker's defaults noexec, nosuid, nodev, then the user's. */
  static RuntimeSpec.Mount tmpfs(String entry) {
    int colon = entry.indexOf(':');
    String dest = colon < 0 ? entry : entry.substring(0, colon);
    ContainerPaths.requireAbsolute(dest);
    List<String> opts = new ArrayList<>(List.of("noexec", "nosuid", "nodev"));
    if (colon >= 0) {
      for (String o : entry.substring(colon + 1).split(",")) {
        if (!o.isBlank()) {
          opts.remove(switch (o) {
            case "exec" -> "noexec";
            case "suid" -> "nosuid";
            case "dev" -> "nodev";
            default -> "";
          });
          opts.add(o.strip());
        }
      }
    }
    return new RuntimeSpec.Mount(ContainerPaths.clean(dest), "tmpfs", "tmpfs", opts);
  }

  private static List<RuntimeSpec.Namespace> namespaces(Network network, String pinned) {
    List<RuntimeSpec.Namespace> ns = new ArrayList<>();
    for (String type : List.of("pid", "mount", "uts", "ipc")) {
      ns.add(new RuntimeSpec.Namespace(type, null));
    }
    if (pinned != null) {
      ns.add(new RuntimeSpec.Namespace("network", pinned));
    } else if (network == Network.NONE) {
      ns.add(new RuntimeSpec.Namespace("network", null));
    }
    return ns;
  }

  private static RuntimeSpec.Resources resources(
      ContainerOptions options, List<RuntimeSpec.DeviceRule> deviceRules) {
    if (options.memoryBytes() == null && options.pidsLimit() == null && options.cpus() == null
        && deviceRules.isEmpty()) {
      return null;
    }
    RuntimeSpec.Memory memory =
        options.memoryBytes() == null ? null : new RuntimeSpec.Memory(options.memoryBytes(), null);
    RuntimeSpec.Pids pids =
        options.pidsLimit() == null ? null : new RuntimeSpec.Pids(options.pidsLimit());
    RuntimeSpec.Cpu cpu =
        options.cpus() == null
            ? null
            : new RuntimeSpec.Cpu(
                Math.round(options.cpus() * CPU_PERIOD_MICROS), CPU_PERIOD_MICROS);
    return new RuntimeSpec.Resources(memory, pids, cpu, deviceRules.isEmpty() ? null : deviceRules);
  }
}
