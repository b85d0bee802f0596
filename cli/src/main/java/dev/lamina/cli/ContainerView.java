package dev.lamina.cli;

import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.store.Store;
import dev.lamina.runner.ContainerRecord;
import dev.lamina.runner.ContainerState;
import dev.lamina.runner.Containers;
import dev.lamina.runner.network.NetworkSettings;
import dev.lamina.runner.network.NetworkStatus;
import dev.lamina.runner.spec.RuntimeSpec;
import dev.lamina.runner.spec.RuntimeSpecCodec;
import dev.lamina.runner.volume.Volume;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What docker shows of a container and Lamina keeps in three places: its record, its runtime
 * bundle's {@code config.json} (environment, working directory, user, mounts, limits) and its
 * image's config (labels, entrypoint, exposed ports). Read lazily and once per container, as
 * {@code ps} needs them only for some columns and filters.
 */
final class ContainerView {
  /** Mounts the runtime always makes, which docker's {@code Mounts} leaves out. */
  private static final Set<String> SYSTEM_MOUNTS =
      Set.of("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup",
          "/etc/hostname", "/etc/hosts", "/etc/resolv.conf");

  private final Containers containers;
  private final StoreOptions storeOptions;
  private Store store;
  private Map<Path, String> volumesByMountpoint;
  private final Map<String, ImageConfig> configs = new HashMap<>();
  private final Map<String, RuntimeSpec> specs = new HashMap<>();

  ContainerView(Containers containers, StoreOptions store) {
    this.containers = containers;
    this.storeOptions = store;
  }

  /** The image's config, null when the image is gone or unreadable. */
  ImageConfig imageConfig(ContainerRecord r) {
    if (r.imageId() == null) {
      return null;
    }
    return configs.computeIfAbsent(r.imageId(), id -> {
      try {
        if (store == null) {
          store = storeOptions.open();
        }
        return store.images().inspect(id).config();
      } catch (IOException | RuntimeException gone) {
        return null;
      }
    });
  }

  /** The runtime bundle's spec, null when the container has none (yet) or it is unreadable. */
  RuntimeSpec spec(ContainerRecord r) {
    return specs.computeIfAbsent(r.id(), id -> {
      try {
        Path file = containers.bundle(id).resolve("config.json");
        return Files.isRegularFile(file)
            ? JsonObject.read(Files.readAllBytes(file), RuntimeSpecCodec.INSTANCE) : null;
      } catch (IOException | RuntimeException unreadable) {
        return null;
      }
    });
  }

  /**
   * Docker's {@code Config.Labels} of a container: its {@code --label}s over its image's labels,
   * as its record keeps them (a record from before labels were kept: its image's).
   */
  Map<String, String> labels(ContainerRecord r) {
    if (!r.labels().isEmpty()) {
      return r.labels();
    }
    ImageConfig c = imageConfig(r);
    Map<String, String> labels = c == null || c.config() == null ? null : c.config().labels();
    return labels == null ? Map.of() : new TreeMap<>(labels);
  }

  /** The names of the networks a container is on ({@code host}, {@code none}, ...). */
  static List<String> networks(ContainerRecord r) {
    List<String> names = new ArrayList<>();
    if (r.networkStatus() != null) {
      r.networkStatus().attachments().forEach(a -> names.add(a.network()));
    }
    if (names.isEmpty()) {
      names.add(InspectCommand.networkMode(r));
    }
    return names;
  }

  /** Docker's {@code Mounts}: volumes, binds and tmpfs the user asked for, in mount order. */
  List<Map<String, Object>> mounts(ContainerRecord r) {
    List<Map<String, Object>> out = new ArrayList<>();
    RuntimeSpec spec = spec(r);
    if (spec == null || spec.mounts() == null) {
      return out;
    }
    for (RuntimeSpec.Mount m : spec.mounts()) {
      if (SYSTEM_MOUNTS.contains(m.destination())) {
        continue;
      }
      List<String> options = m.options() == null ? List.of() : m.options();
      boolean ro = options.contains("ro");
      Map<String, Object> d = new LinkedHashMap<>();
      if ("tmpfs".equals(m.type())) {
        d.put("Type", "tmpfs");
        d.put("Source", "");
      } else {
        String volume = volumeAt(m.source());
        d.put("Type", volume != null ? "volume" : "bind");
        if (volume != null) {
          d.put("Name", volume);
        }
        d.put("Source", m.source());
        if (volume != null) {
          d.put("Driver", "local");
        }
      }
      d.put("Destination", m.destination());
      d.put("Mode", ro ? "ro" : "");
      d.put("RW", !ro);
      d.put("Propagation", "tmpfs".equals(m.type()) ? "" : "rprivate");
      out.add(d);
    }
    return out;
  }

  private String volumeAt(String source) {
    if (source == null) {
      return null;
    }
    if (volumesByMountpoint == null) {
      volumesByMountpoint = new HashMap<>();
      try {
        for (Volume v : containers.volumes().list()) {
          volumesByMountpoint.put(v.mountpoint().toAbsolutePath().normalize(), v.name());
        }
      } catch (IOException unreadable) {
        // Shown as binds.
      }
    }
    return volumesByMountpoint.get(Path.of(source).toAbsolutePath().normalize());
  }

  /** A container as docker inspect shows one, with the fields Lamina has. */
  Map<String, Object> inspect(ContainerRecord r) {
    RuntimeSpec spec = spec(r);
    RuntimeSpec.Process process = spec == null ? null : spec.process();
    ImageConfig image = imageConfig(r);
    ContainerConfig ic = image == null ? null : image.config();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Id", r.id());
    m.put("Created", r.created());
    m.put("Path", r.command().isEmpty() ? null : r.command().get(0));
    m.put("Args", r.command().size() > 1 ? r.command().subList(1, r.command().size()) : List.of());
    m.put("State", state(r));
    m.put("Image", r.imageId());
    m.put("ImageName", r.image());
    Path dir = bundle(r);
    m.put("ResolvConfPath", file(dir, "resolv.conf"));
    m.put("HostnamePath", file(dir, "hostname"));
    m.put("HostsPath", file(dir, "hosts"));
    m.put("LogPath", logPath(r));
    m.put("Name", r.name());
    m.put("RestartCount", r.restartCount());
    m.put("Driver", "overlay");
    m.put("Platform", "linux");
    m.put("Status", dev.lamina.runner.StatusText.of(r, java.time.Instant.now()));
    m.put("HostConfig", hostConfig(r, spec));
    m.put("Mounts", mounts(r));
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("Hostname", r.hostname());
    config.put("User", user(process, ic));
    config.put("Tty", process != null && process.terminal());
    config.put("OpenStdin", r.openStdin());
    config.put("Env", process == null ? List.of() : process.env());
    List<String> entrypoint = ic == null || ic.entrypoint() == null ? List.of() : ic.entrypoint();
    boolean fromImage = !entrypoint.isEmpty() && r.command().size() >= entrypoint.size()
        && r.command().subList(0, entrypoint.size()).equals(entrypoint);
    config.put("Cmd", fromImage ? r.command().subList(entrypoint.size(), r.command().size())
        : r.command());
    config.put("Image", r.image());
    config.put("Volumes", ic == null ? null : ic.volumes());
    config.put("WorkingDir", workingDir(process, ic));
    config.put("Entrypoint", fromImage ? entrypoint : null);
    config.put("Labels", labels(r));
    config.put("StopSignal", r.stopSignal());
    if (r.stopTimeout() != null) {
      config.put("StopTimeout", r.stopTimeout());
    }
    config.put("ExposedPorts", exposedPorts(r, ic));
    if (r.healthcheck() != null) {
      Map<String, Object> h = new LinkedHashMap<>();
      h.put("Test", r.healthcheck().test());
      h.put("Interval", r.healthcheck().intervalNanos());
      h.put("Timeout", r.healthcheck().timeoutNanos());
      h.put("StartPeriod", r.healthcheck().startPeriodNanos());
      h.put("Retries", r.healthcheck().retries());
      config.put("Healthcheck", h);
    }
    m.put("Config", config);
    m.put("Volumes", r.volumes());
    m.put("NetworkSettings", networkSettings(r, ic).toDocker());
    return m;
  }

  /**
   * Docker's {@code NetworkSettings}: the networks as the runner shows them (without addresses
   * while it does not run), and with a network of its own its exposed ports, published or not.
   */
  private NetworkSettings networkSettings(ContainerRecord r, ContainerConfig ic) {
    NetworkStatus status = null;
    try {
      status = containers.shownNetworks(r);
    } catch (IOException unreadable) {
      status = r.networkStatus();
    }
    boolean own = r.networkMode().ownNamespace();
    return new NetworkSettings(
        status == null ? new NetworkStatus(List.of(), List.of()) : status,
        own ? exposed(r, ic) : List.of());
  }

  private Map<String, Object> state(ContainerRecord r) {
    Map<String, Object> state = new LinkedHashMap<>();
    state.put("Status", r.state() == ContainerState.RUNNING && r.paused() ? "paused"
        : r.state().name().toLowerCase(Locale.ROOT));
    state.put("Running", r.state() == ContainerState.RUNNING);
    state.put("Paused", r.paused());
    state.put("Restarting", false);
    state.put("OOMKilled", r.oomKilled());
    state.put("Dead", false);
    long pid = 0;
    try {
      pid = containers.pid(r);
    } catch (IOException | RuntimeException unknown) {
      // 0, as for a stopped container.
    }
    state.put("Pid", pid);
    // -1 for an exit that was not observed, as wait prints; 0 before any exit, as docker's.
    state.put("ExitCode", r.exitCode() != null ? r.exitCode()
        : r.state() == ContainerState.EXITED ? -1 : 0);
    state.put("Error", r.error() == null ? "" : r.error());
    state.put("StartedAt", r.startedAt() == null ? ZERO_TIME : r.startedAt());
    state.put("FinishedAt", r.finishedAt() == null ? ZERO_TIME : r.finishedAt());
    state.put("LogDroppedBytes", r.logDroppedBytes());
    if (r.health() != null) {
      state.put("Health", health(r.health()));
    }
    return state;
  }

  /** Docker's {@code State.Health}: status, failing streak and the last checks. */
  private static Map<String, Object> health(dev.lamina.runner.health.HealthState h) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("Status", h.status());
    out.put("FailingStreak", h.failingStreak());
    List<Map<String, Object>> log = new ArrayList<>();
    for (var c : h.log()) {
      Map<String, Object> e = new LinkedHashMap<>();
      e.put("Start", c.start());
      e.put("End", c.end());
      e.put("ExitCode", c.exitCode());
      e.put("Output", c.output());
      log.add(e);
    }
    out.put("Log", log);
    return out;
  }

  /** Docker's time for "never": Go's zero time. */
  static final String ZERO_TIME = "0001-01-01T00:00:00Z";

  private Map<String, Object> hostConfig(ContainerRecord r, RuntimeSpec spec) {
    Map<String, Object> host = new LinkedHashMap<>();
    List<String> binds = new ArrayList<>();
    Map<String, String> tmpfs = new TreeMap<>();
    for (Map<String, Object> mount : mounts(r)) {
      String ro = Boolean.TRUE.equals(mount.get("RW")) ? "" : ":ro";
      switch (String.valueOf(mount.get("Type"))) {
        case "bind" -> binds.add(mount.get("Source") + ":" + mount.get("Destination") + ro);
        case "volume" -> binds.add(mount.get("Name") + ":" + mount.get("Destination") + ro);
        default -> tmpfs.put(String.valueOf(mount.get("Destination")), "");
      }
    }
    host.put("Binds", binds);
    host.put("NetworkMode", InspectCommand.networkMode(r));
    host.put("PortBindings", r.networkStatus() == null ? Map.of()
        : new NetworkSettings(r.networkStatus(), List.of()).ports());
    Map<String, Object> restart = new LinkedHashMap<>();
    restart.put("Name", r.restart().name());
    restart.put("MaximumRetryCount", r.restart().maxRetries());
    host.put("RestartPolicy", restart);
    host.put("AutoRemove", r.autoRemove());
    host.put("Runtime", r.runtime());
    host.put("ReadonlyRootfs", spec != null && spec.root() != null && spec.root().readonly());
    host.put("Tmpfs", tmpfs);
    RuntimeSpec.Resources res =
        spec == null || spec.linux() == null ? null : spec.linux().resources();
    host.put("Memory", r.memoryLimit() == null ? 0 : r.memoryLimit());
    long nanoCpus = 0;
    if (res != null && res.cpu() != null && res.cpu().quota() != null
        && res.cpu().period() != null && res.cpu().period() > 0 && res.cpu().quota() > 0) {
      nanoCpus = res.cpu().quota() * 1_000_000_000L / res.cpu().period();
    }
    host.put("NanoCpus", nanoCpus);
    host.put("PidsLimit", res == null || res.pids() == null ? null : res.pids().limit());
    return host;
  }

  /** Docker's Config.User: the image's USER, or the uid:gid a container runs as. */
  private static String user(RuntimeSpec.Process process, ContainerConfig ic) {
    String imageUser = ic == null || ic.user() == null ? "" : ic.user();
    if (process == null || process.user() == null) {
      return imageUser;
    }
    RuntimeSpec.User u = process.user();
    if (u.uid() == 0 && u.gid() == 0) {
      return Set.of("root", "0", "0:0", "root:root").contains(imageUser) ? imageUser : "";
    }
    return imageUser.isEmpty() ? u.uid() + ":" + u.gid() : imageUser;
  }

  /** Docker's Config.WorkingDir: empty when neither the image nor {@code -w} set one. */
  private static String workingDir(RuntimeSpec.Process process, ContainerConfig ic) {
    String imageDir = ic == null || ic.workingDir() == null ? "" : ic.workingDir();
    String cwd = process == null || process.cwd() == null ? "" : process.cwd();
    return cwd.equals("/") && imageDir.isEmpty() ? "" : cwd;
  }

  /**
   * The ports a container exposes: its image's and {@code --expose}'s as its record keeps them (a
   * record from before they were kept: its image's).
   */
  private static List<String> exposed(ContainerRecord r, ContainerConfig ic) {
    if (!r.exposedPorts().isEmpty()) {
      return r.exposedPorts();
    }
    return ic == null || ic.exposedPorts() == null ? List.of()
        : dev.lamina.runner.network.PortSpecs.mergeExposed(ic.exposedPorts().keySet(), List.of());
  }

  /** The exposed ports and the published ones, as {@code "80/tcp": {}}. */
  private static Map<String, Object> exposedPorts(ContainerRecord r, ContainerConfig ic) {
    Map<String, Object> ports = new TreeMap<>();
    exposed(r, ic).forEach(p -> ports.put(p, Map.of()));
    if (r.networkStatus() != null) {
      r.networkStatus().ports().forEach(p -> {
        for (int i = 0; i < p.range(); i++) {
          ports.put((p.containerPort() + i) + "/" + p.protocol(), Map.of());
        }
      });
    }
    return ports;
  }

  private Path bundle(ContainerRecord r) {
    try {
      return containers.bundle(r.id());
    } catch (IOException | RuntimeException gone) {
      return null;
    }
  }

  private String logPath(ContainerRecord r) {
    try {
      return containers.logFile(r.id()).toString();
    } catch (IOException | RuntimeException gone) {
      return "";
    }
  }

  private static String file(Path dir, String name) {
    return dir != null && Files.exists(dir.resolve(name)) ? dir.resolve(name).toString() : "";
  }
}
