package dev.lamina.runner.spec;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What the user asked for on top of the image (the flags of {@code run}/{@code create}). Null
 * means "not given": the image's value or the default applies.
 *
 * @param entrypoint {@code --entrypoint}: replaces the image's Entrypoint and clears its Cmd; an
 *     empty list clears the Entrypoint
 * @param args words after the image name; when not empty they replace the image's Cmd
 * @param env {@code -e} entries, {@code KEY=VALUE}, applied over the image's Env
 * @param workdir {@code -w}
 * @param user {@code -u}: {@code name}, {@code uid}, {@code uid:gid}, {@code name:group}
 * @param hostname {@code --hostname} (checked: {@link #checkHostname})
 * @param network {@code --network}
 * @param networkNamespace a pinned network namespace to join (a file), or null: with it the
 *     container joins that namespace whatever {@code network} says
 * @param readOnly {@code --read-only}: the root filesystem is mounted read-only
 * @param tmpfs {@code --tmpfs} entries: {@code /path} or {@code /path:options}
 * @param binds resolved {@code -v} binds and volumes
 * @param capAdd {@code --cap-add}, names with or without {@code CAP_}, or {@code ALL}
 * @param capDrop {@code --cap-drop}, likewise
 * @param memoryBytes {@code --memory}
 * @param pidsLimit {@code --pids-limit}
 * @param cpus {@code --cpus}, fractional
 * @param terminal {@code -t}
 * @param seccomp {@code --security-opt seccomp=}: the default filter unless given
 * @param noNewPrivileges {@code --security-opt no-new-privileges}: setuid and file capabilities
 *     grant nothing (off by default, as with Docker, so that {@code su} and {@code ping} work)
 * @param privileged {@code --privileged}: every capability, no seccomp filter, no masked or
 *     read-only paths, the host's devices, {@code /sys} and cgroups writable
 * @param devices {@code --device} host devices made available
 * @param ulimits {@code --ulimit} resource limits, over the defaults
 * @param shmSize {@code --shm-size} in bytes: the size of {@code /dev/shm} (64 MiB by default)
 * @param annotations {@code --annotation}: the runtime spec's annotations
 * @param init {@code --init}: this host binary runs as PID 1 and starts the command (null: none)
 */
public record ContainerOptions(
    List<String> entrypoint,
    List<String> args,
    List<String> env,
    String workdir,
    String user,
    String hostname,
    Network network,
    String networkNamespace,
    boolean readOnly,
    List<String> tmpfs,
    List<BindMount> binds,
    Set<String> capAdd,
    Set<String> capDrop,
    Long memoryBytes,
    Long pidsLimit,
    Double cpus,
    boolean terminal,
    SeccompPolicy seccomp,
    boolean noNewPrivileges,
    boolean privileged,
    List<DeviceMapping> devices,
    List<Ulimit> ulimits,
    Long shmSize,
    java.util.Map<String, String> annotations,
    java.nio.file.Path init) {

  public ContainerOptions {
    entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
    args = args == null ? List.of() : List.copyOf(args);
    env = env == null ? List.of() : List.copyOf(env);
    network = network == null ? Network.HOST : network;
    tmpfs = tmpfs == null ? List.of() : List.copyOf(tmpfs);
    binds = binds == null ? List.of() : List.copyOf(binds);
    capAdd = capAdd == null ? Set.of() : Set.copyOf(capAdd);
    capDrop = capDrop == null ? Set.of() : Set.copyOf(capDrop);
    seccomp = seccomp == null ? SeccompPolicy.DEFAULT : seccomp;
    devices = devices == null ? List.of() : List.copyOf(devices);
    ulimits = ulimits == null ? List.of() : List.copyOf(ulimits);
    annotations =
        annotations == null
            ? java.util.Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(annotations));
    if (shmSize != null && shmSize <= 0) {
      throw new IllegalArgumentException("--shm-size must be greater than 0");
    }
    if (hostname != null) {
      checkHostname(hostname);
    }
    if (memoryBytes != null && memoryBytes < 6 * 1024 * 1024) {
      throw new IllegalArgumentException("--memory must be at least 6 MiB");
    }
    if (pidsLimit != null && pidsLimit == 0) {
      throw new IllegalArgumentException("--pids-limit must not be 0");
    }
    if (cpus != null && !(cpus > 0)) {
      throw new IllegalArgumentException("--cpus must be greater than 0");
    }
  }

  /** The kernel's limit on a host name (HOST_NAME_MAX): sethostname(2) refuses longer ones. */
  public static final int HOSTNAME_MAX = 64;

  /**
   * Checks a host name before any runtime sees it: at most {@link #HOSTNAME_MAX} bytes, letters,
   * digits, '.', '-' and '_' only (RFC 1123, which docker applied, plus the '_' the kernel
   * allows), starting and ending with a letter or digit. Otherwise runc would fail late, with
   * its own wording.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  static void checkHostname(String hostname) {
    String problem = null;
    if (hostname.isEmpty()) {
      problem = "it is empty";
    } else if (hostname.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > HOSTNAME_MAX) {
      problem = "it is longer than " + HOSTNAME_MAX + " characters";
    } else if (!hostname.matches("[A-Za-z0-9._-]+")) {
      problem = "use only letters, digits, '.', '-' and '_'";
    } else if (!Character.isLetterOrDigit(hostname.charAt(0))
        || !Character.isLetterOrDigit(hostname.charAt(hostname.length() - 1))) {
      problem = "it must start and end with a letter or digit";
    }
    if (problem != null) {
      throw new IllegalArgumentException("invalid --hostname \"" + hostname + "\": " + problem);
    }
  }

  /** No flags: the image's settings and Lamina's defaults. */
  public static ContainerOptions defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder seeded with these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.entrypoint = entrypoint;
    b.args = new ArrayList<>(args);
    b.env = new ArrayList<>(env);
    b.workdir = workdir;
    b.user = user;
    b.hostname = hostname;
    b.network = network;
    b.networkNamespace = networkNamespace;
    b.readOnly = readOnly;
    b.tmpfs = new ArrayList<>(tmpfs);
    b.binds = new ArrayList<>(binds);
    b.capAdd = new LinkedHashSet<>(capAdd);
    b.capDrop = new LinkedHashSet<>(capDrop);
    b.memoryBytes = memoryBytes;
    b.pidsLimit = pidsLimit;
    b.cpus = cpus;
    b.terminal = terminal;
    b.seccomp = seccomp;
    b.noNewPrivileges = noNewPrivileges;
    b.privileged = privileged;
    b.devices = new ArrayList<>(devices);
    b.ulimits = new ArrayList<>(ulimits);
    b.shmSize = shmSize;
    b.annotations = new java.util.TreeMap<>(annotations);
    b.init = init;
    return b;
  }

  /** Mutable builder for {@link ContainerOptions}. */
  public static final class Builder {
    private List<String> entrypoint;
    private List<String> args = new ArrayList<>();
    private List<String> env = new ArrayList<>();
    private String workdir;
    private String user;
    private String hostname;
    private Network network = Network.HOST;
    private String networkNamespace;
    private boolean readOnly;
    private List<String> tmpfs = new ArrayList<>();
    private List<BindMount> binds = new ArrayList<>();
    private Set<String> capAdd = new LinkedHashSet<>();
    private Set<String> capDrop = new LinkedHashSet<>();
    private Long memoryBytes;
    private Long pidsLimit;
    private Double cpus;
    private boolean terminal;
    private SeccompPolicy seccomp = SeccompPolicy.DEFAULT;
    private boolean noNewPrivileges;
    private boolean privileged;
    private List<DeviceMapping> devices = new ArrayList<>();
    private List<Ulimit> ulimits = new ArrayList<>();
    private Long shmSize;
    private java.util.Map<String, String> annotations = new java.util.TreeMap<>();
    private java.nio.file.Path init;

    private Builder() {}

    public Builder privileged(boolean v) {
      privileged = v;
      return this;
    }

    public Builder device(DeviceMapping v) {
      devices.add(v);
      return this;
    }

    /** A later limit of the same type replaces an earlier one, as docker's flag does. */
    public Builder ulimit(Ulimit v) {
      ulimits.removeIf(u -> u.type().equals(v.type()));
      ulimits.add(v);
      return this;
    }

    public Builder shmSize(Long v) {
      shmSize = v;
      return this;
    }

    public Builder annotation(String key, String value) {
      annotations.put(key, value);
      return this;
    }

    public Builder init(java.nio.file.Path v) {
      init = v;
      return this;
    }

    public Builder entrypoint(List<String> v) {
      entrypoint = v;
      return this;
    }

    public Builder args(List<String> v) {
      args = new ArrayList<>(v);
      return this;
    }

    public Builder args(String... v) {
      return args(List.of(v));
    }

    public Builder env(String keyValue) {
      env.add(keyValue);
      return this;
    }

    public Builder workdir(String v) {
      workdir = v;
      return this;
    }

    public Builder user(String v) {
      user = v;
      return this;
    }

    public Builder hostname(String v) {
      hostname = v;
      return this;
    }

    public Builder network(Network v) {
      network = v;
      return this;
    }

    public Builder networkNamespace(String v) {
      networkNamespace = v;
      return this;
    }

    public Builder readOnly(boolean v) {
      readOnly = v;
      return this;
    }

    public Builder tmpfs(String v) {
      tmpfs.add(v);
      return this;
    }

    public Builder bind(BindMount v) {
      binds.add(v);
      return this;
    }

    public Builder binds(List<BindMount> v) {
      binds = new ArrayList<>(v);
      return this;
    }

    public Builder capAdd(String v) {
      capAdd.add(v);
      return this;
    }

    public Builder capDrop(String v) {
      capDrop.add(v);
      return this;
    }

    public Builder memoryBytes(Long v) {
      memoryBytes = v;
      return this;
    }

    public Builder pidsLimit(Long v) {
      pidsLimit = v;
      return this;
    }

    public Builder cpus(Double v) {
      cpus = v;
      return this;
    }

    public Builder terminal(boolean v) {
      terminal = v;
      return this;
    }

    public Builder seccomp(SeccompPolicy v) {
      seccomp = v;
      return this;
    }

    public Builder noNewPrivileges(boolean v) {
      noNewPrivileges = v;
      return this;
    }

    public ContainerOptions build() {
      return new ContainerOptions(
          entrypoint, args, env, workdir, user, hostname, network, networkNamespace, readOnly, tmpfs, binds, capAdd,
          capDrop, memoryBytes, pidsLimit, cpus, terminal, seccomp, noNewPrivileges, privileged,
          devices, ulimits, shmSize, annotations, init);
    }
  }
}
