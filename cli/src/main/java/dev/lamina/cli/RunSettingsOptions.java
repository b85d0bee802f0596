package dev.lamina.cli;

import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.oci.GoDuration;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.oci.Platform;
import dev.lamina.runner.ContainerSettings;
import dev.lamina.runner.RestartPolicy;
import dev.lamina.runner.health.HealthConfig;
import dev.lamina.runner.spec.ContainerOptions;
import dev.lamina.runner.spec.DeviceMapping;
import dev.lamina.runner.spec.InitBinary;
import dev.lamina.runner.spec.Ulimit;
import dev.lamina.runner.volume.MountFlag;
import dev.lamina.runner.volume.VolumeException;
import dev.lamina.runner.volume.VolumeSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code run} and {@code create} flags beyond the basic ones: mounts, init, privileges and
 * devices, limits, labels and annotations, the container id file, stop signal and timeout,
 * platform, restart policy and health check.
 */
final class RunSettingsOptions {
  @Option(names = "--mount", paramLabel = "type=bind|volume|tmpfs,...", description = "Attach a mount (docker's keys: source, target, readonly, bind-propagation, volume-nocopy, tmpfs-size, tmpfs-mode).")
  List<String> mounts = new ArrayList<>();

  @Option(names = "--init", description = "Run an init (catatonit or tini) as PID 1 that reaps processes and passes signals on.")
  boolean init;

  @Option(names = "--init-path", paramLabel = "PATH", description = "The init binary for --init (default: catatonit, else tini-static).")
  Path initPath;

  @Option(names = "--privileged", description = "Every capability, the host's devices, no seccomp filter or masked paths.")
  boolean privileged;

  @Option(names = "--device", paramLabel = "HOST[:CONTAINER[:rwm]]", description = "Add a host device.")
  List<String> devices = new ArrayList<>();

  @Option(names = "--ulimit", paramLabel = "NAME=SOFT[:HARD]", description = "A resource limit (nofile, nproc, core, ...; -1 or unlimited).")
  List<String> ulimits = new ArrayList<>();

  @Option(names = "--shm-size", paramLabel = "SIZE", description = "Size of /dev/shm (default 64m).")
  String shmSize;

  @Option(names = {"-l", "--label"}, paramLabel = "KEY[=VALUE]", description = "Set a label on the container.")
  List<String> labels = new ArrayList<>();

  @Option(names = "--annotation", paramLabel = "KEY=VALUE", description = "Add an annotation to the runtime spec.")
  List<String> annotations = new ArrayList<>();

  @Option(names = "--cidfile", paramLabel = "FILE", description = "Write the container id to FILE (which must not exist).")
  Path cidfile;

  @Option(names = "--stop-signal", paramLabel = "SIGNAL", description = "Signal that stops the container (default: the image's STOPSIGNAL, else SIGTERM).")
  String stopSignal;

  @Option(names = "--stop-timeout", paramLabel = "SECONDS", description = "Seconds stop waits before SIGKILL (default 10; -1: no limit).")
  Integer stopTimeout;

  @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "The platform the image must be for (this host's only).")
  String platform;

  @Option(names = "--restart", paramLabel = "POLICY", description = "no (default), on-failure[:N], always or unless-stopped, while the host is up.")
  String restart;

  @Option(names = "--health-cmd", paramLabel = "CMD", description = "Command that checks health (run with /bin/sh -c).")
  String healthCmd;

  @Option(names = "--health-interval", paramLabel = "DURATION", description = "Time between checks (default 30s).")
  String healthInterval;

  @Option(names = "--health-timeout", paramLabel = "DURATION", description = "Longest a check may run (default 30s).")
  String healthTimeout;

  @Option(names = "--health-start-period", paramLabel = "DURATION", description = "Time after the start when failures do not count (default 0s).")
  String healthStartPeriod;

  @Option(names = "--health-retries", paramLabel = "N", description = "Consecutive failures that make it unhealthy (default 3).")
  Integer healthRetries;

  @Option(names = "--no-healthcheck", description = "Disable any health check, the image's too.")
  boolean noHealthcheck;

  /** Applies the flags that shape the runtime spec. */
  void apply(ContainerOptions.Builder b) {
    b.privileged(privileged);
    devices.forEach(d -> b.device(DeviceMapping.parse(d)));
    ulimits.forEach(u -> b.ulimit(Ulimit.parse(u)));
    if (shmSize != null) {
      b.shmSize(ByteSizes.parse(shmSize));
    }
    for (String a : annotations) {
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new UserException("invalid --annotation " + a + " (want KEY=VALUE)");
      }
      b.annotation(a.substring(0, eq), a.substring(eq + 1));
    }
    if (initPath != null && !init) {
      throw new UserException("--init-path needs --init");
    }
    if (init) {
      Path p = initPath != null ? initPath.toAbsolutePath() : InitBinary.find();
      if (!Files.isRegularFile(p) || !Files.isExecutable(p)) {
        throw new UserException("--init-path " + p + " is not an executable file");
      }
      b.init(p);
    }
  }

  /**
   * The {@code --mount} binds and volumes; their tmpfs mounts go to {@code b} as {@code --tmpfs}
   * entries.
   */
  List<VolumeSpec> mounts(ContainerOptions.Builder b) throws VolumeException {
    List<VolumeSpec> out = new ArrayList<>();
    for (String m : mounts) {
      MountFlag f = MountFlag.parse(m);
      if (f.tmpfs() != null) {
        b.tmpfs(f.tmpfs());
      } else {
        out.add(f.volume());
      }
    }
    return out;
  }

  /** The settings kept in the container's record; {@code image} supplies the health check's base. */
  ContainerSettings settings(ImageConfig image) {
    Map<String, String> l = new LinkedHashMap<>();
    for (String label : labels) {
      int eq = label.indexOf('=');
      l.put(eq < 0 ? label : label.substring(0, eq), eq < 0 ? "" : label.substring(eq + 1));
    }
    if (stopSignal != null
        && !stopSignal.toUpperCase(java.util.Locale.ROOT).matches("(SIG)?[A-Z0-9+-]+")) {
      throw new UserException("invalid --stop-signal " + stopSignal);
    }
    return new ContainerSettings(
        l, stopSignal, stopTimeout,
        restart == null ? RestartPolicy.NO : RestartPolicy.parse(restart),
        healthcheck(image), noHealthcheck, null);
  }

  /**
   * The health check the flags ask for, over the image's HEALTHCHECK as docker merges them (a flag
   * replaces that field only), or null when no {@code --health-*} flag is given.
   */
  private HealthConfig healthcheck(ImageConfig image) {
    boolean any = healthCmd != null || healthInterval != null || healthTimeout != null
        || healthStartPeriod != null || healthRetries != null;
    if (!any) {
      return null;
    }
    if (noHealthcheck) {
      throw new UserException("--no-healthcheck conflicts with --health-* options");
    }
    ContainerConfig.Healthcheck base = image.config() == null ? null : image.config().healthcheck();
    HealthConfig fromImage = HealthConfig.ofImage(base);
    List<String> test =
        healthCmd != null
            ? List.of("CMD-SHELL", healthCmd)
            : fromImage != null ? fromImage.test() : null;
    if (test == null) {
      throw new UserException("--health-* options need --health-cmd: the image has no HEALTHCHECK");
    }
    return new HealthConfig(
        test,
        duration(healthInterval, "--health-interval",
            fromImage != null ? fromImage.interval() : HealthConfig.DEFAULT_INTERVAL),
        duration(healthTimeout, "--health-timeout",
            fromImage != null ? fromImage.timeout() : HealthConfig.DEFAULT_TIMEOUT),
        duration(healthStartPeriod, "--health-start-period",
            fromImage != null ? fromImage.startPeriod() : Duration.ZERO),
        healthRetries != null
            ? healthRetries
            : fromImage != null ? fromImage.retries() : HealthConfig.DEFAULT_RETRIES);
  }

  private static Duration duration(String value, String flag, Duration absent) {
    if (value == null) {
      return absent;
    }
    try {
      Duration d = GoDuration.parse(value);
      if (d.isNegative()) {
        throw new UserException(flag + " cannot be negative");
      }
      return d;
    } catch (IllegalArgumentException e) {
      throw new UserException("invalid " + flag + ": " + e.getMessage());
    }
  }

  /**
   * Refuses an image for another platform, or a {@code --platform} this host cannot run: there is
   * no emulation.
   */
  void checkPlatform(String reference, ImageConfig image) {
    Platform host = Platform.host();
    if (platform != null) {
      Platform wanted;
      try {
        wanted = Platform.parse(platform);
      } catch (IllegalArgumentException e) {
        throw new UserException(e.getMessage());
      }
      if (!host.matches(wanted)) {
        throw new UserException(
            "cannot run " + wanted + " containers on this " + host
                + " host: Lamina has no cross-platform (emulated) runs");
      }
      if (image.architecture() != null && !image.platform().matches(wanted)) {
        throw new UserException(
            "image " + reference + " is for " + image.platform() + ", not the requested "
                + wanted);
      }
    }
    if (image.architecture() != null && image.os() != null && !image.platform().matches(host)) {
      throw new UserException(
          "image " + reference + " is for " + image.platform() + " and this host is "
              + host + ": Lamina cannot run images for another platform");
    }
  }

  /**
   * Writes the container id to {@code --cidfile}, which must not exist yet (docker refuses to
   * overwrite one, which may belong to a container still running).
   */
  void checkCidfile() {
    if (cidfile != null && Files.exists(cidfile)) {
      throw new UserException(
          "container ID file found, make sure the other container isn't running or delete "
              + cidfile);
    }
  }

  void writeCidfile(String id) throws IOException {
    if (cidfile != null) {
      Files.writeString(cidfile, id, java.nio.file.StandardOpenOption.CREATE_NEW);
    }
  }
}
