package dev.lamina.runner;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What Lamina remembers of a container, in {@code containers/<id>/container.json}. Written
 * atomically and changed only under the containers lock.
 *
 * @param id 64 hex digits
 * @param command the process's argv, as the runtime spec has it
 * @param created RFC 3339
 * @param exitCode null while it has not exited, or when its exit was not observed
 * @param error why the last start failed, if it did
 * @param monitorPid the process waiting for the container (the foreground CLI or the monitor);
 *     while it is being created, the process creating it
 * @param monitorStarted that process's start time, to tell it from a later process with its pid
 * @param lowerDirs the image's layer directories, top-most first
 * @param volumes the named and anonymous volumes it mounts
 * @param anonymousVolumes those of {@code volumes} created for it alone
 * @param oomKilled the kernel's OOM killer killed a process of it during its last run
 * @param hostname the container's host name
 * @param memoryLimit {@code --memory} in bytes, null when unlimited
 * @param openStdin {@code -i}: attached clients' input reaches its terminal
 * @param paused its processes are frozen ({@code lamina pause}) while it runs
 * @param logDropped bytes of its output that could not be written to its log (a full store),
 *     over all its runs; null when none
 * @param network its {@code --network}; null (in records from before networks) is the host's
 * @param networkStatus what its networks gave it while it runs, else null
 * @param labels {@code --label}s over the image's labels
 * @param stopTimeout {@code --stop-timeout}: seconds {@code stop} waits by default, null for 10
 * @param restartPolicy {@code --restart}, null for {@code no}
 * @param restartCount how often its restart policy has started it again since it was started
 * @param stoppedByUser it was ended by {@code stop} or {@code kill}: its restart policy leaves it
 * @param healthcheck how its health is checked, null when it is not
 * @param health what its checks found during its current run, null when not checked
 * @param exposedPorts its image's exposed ports and {@code --expose}'s ({@code 80/tcp}); empty in
 *     records from before they were kept
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContainerRecord(
    @JsonProperty("id") String id,
    @JsonProperty("name") String name,
    @JsonProperty("image") String image,
    @JsonProperty("imageId") String imageId,
    @JsonProperty("command") List<String> command,
    @JsonProperty("created") String created,
    @JsonProperty("state") ContainerState state,
    @JsonProperty("exitCode") Integer exitCode,
    @JsonProperty("startedAt") String startedAt,
    @JsonProperty("finishedAt") String finishedAt,
    @JsonProperty("error") String error,
    @JsonProperty("runtime") String runtime,
    @JsonProperty("autoRemove") boolean autoRemove,
    @JsonProperty("monitorPid") Long monitorPid,
    @JsonProperty("monitorStarted") String monitorStarted,
    @JsonProperty("stopSignal") String stopSignal,
    @JsonProperty("lowerDirs") List<String> lowerDirs,
    @JsonProperty("volumes") List<String> volumes,
    @JsonProperty("anonymousVolumes") List<String> anonymousVolumes,
    @JsonProperty("oomKilled") boolean oomKilled,
    @JsonProperty("hostname") String hostname,
    @JsonProperty("memoryLimit") Long memoryLimit,
    @JsonProperty("openStdin") boolean openStdin,
    @JsonProperty("paused") boolean paused,
    @JsonProperty("logDropped") Long logDropped,
    @JsonProperty("network") ContainerNetwork network,
    @JsonProperty("networkStatus") dev.lamina.runner.network.NetworkStatus networkStatus,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("labels")
        java.util.Map<String, String> labels,
    @JsonProperty("stopTimeout") Integer stopTimeout,
    @JsonProperty("restartPolicy") String restartPolicy,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) @JsonProperty("restartCount") int restartCount,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) @JsonProperty("stoppedByUser")
        boolean stoppedByUser,
    @JsonProperty("healthcheck") dev.lamina.runner.health.HealthConfig healthcheck,
    @JsonProperty("health") dev.lamina.runner.health.HealthState health,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) @JsonProperty("exposedPorts")
        List<String> exposedPorts) {

  public ContainerRecord {
    command = command == null ? List.of() : List.copyOf(command);
    lowerDirs = lowerDirs == null ? List.of() : List.copyOf(lowerDirs);
    volumes = volumes == null ? List.of() : List.copyOf(volumes);
    anonymousVolumes = anonymousVolumes == null ? List.of() : List.copyOf(anonymousVolumes);
    exposedPorts = exposedPorts == null ? List.of() : List.copyOf(exposedPorts);
    labels =
        labels == null
            ? java.util.Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(labels));
  }

  /** Its {@code --restart} policy. */
  public RestartPolicy restart() {
    return restartPolicy == null ? RestartPolicy.NO : RestartPolicy.parse(restartPolicy);
  }

  /** Its {@code --network}, the host's when the record names none. */
  public ContainerNetwork networkMode() {
    return network == null ? ContainerNetwork.host() : network;
  }

  /** With {@code status} as its networks' state now (null when it has none). */
  ContainerRecord withNetworkStatus(dev.lamina.runner.network.NetworkStatus status) {
    return toBuilder().networkStatus(status).build();
  }

  /** The image's layer directories, top-most first. */
  public List<java.nio.file.Path> lowerPaths() {
    return lowerDirs.stream().map(java.nio.file.Path::of).toList();
  }

  /** The first 12 hex digits, as {@code ps} shows. */
  public String shortId() {
    return id.substring(0, 12);
  }

  ContainerRecord withCommand(
      List<String> c, List<String> vols, List<String> anon, String host) {
    // Created: no process stands for it until it starts.
    return toBuilder().command(c).volumes(vols).anonymousVolumes(anon).hostname(host)
        .monitorPid(null).monitorStarted(null).build();
  }

  ContainerRecord withPaused(boolean p) {
    return toBuilder().paused(p).build();
  }

  ContainerRecord running(String started, long pid, String pidStarted) {
    return toBuilder()
        .state(ContainerState.RUNNING)
        .exitCode(null)
        .startedAt(started)
        .finishedAt(null)
        .error(null)
        .monitorPid(pid)
        .monitorStarted(pidStarted)
        .oomKilled(false)
        .paused(false)
        .stoppedByUser(false)
        .health(healthcheck == null ? null : dev.lamina.runner.health.HealthState.starting())
        .build();
  }

  ContainerRecord exited(Integer code, String finished, String why, boolean oom) {
    return toBuilder()
        .state(ContainerState.EXITED)
        .exitCode(code)
        .finishedAt(finished)
        .error(why)
        .monitorPid(null)
        .monitorStarted(null)
        .oomKilled(oom)
        .paused(false)
        .build();
  }

  /** With {@code bytes} of output in all left out of its log (0 leaves none recorded). */
  ContainerRecord withLogDropped(long bytes) {
    return toBuilder().logDropped(bytes == 0 ? null : bytes).build();
  }

  /** Bytes of its output left out of its log over all its runs (0 when none). */
  public long logDroppedBytes() {
    return logDropped == null ? 0 : logDropped;
  }

  /** A record built field by field; every field not set is null, false or empty. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this record's fields, to change a few of them. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.id = id;
    b.name = name;
    b.image = image;
    b.imageId = imageId;
    b.command = command;
    b.created = created;
    b.state = state;
    b.exitCode = exitCode;
    b.startedAt = startedAt;
    b.finishedAt = finishedAt;
    b.error = error;
    b.runtime = runtime;
    b.autoRemove = autoRemove;
    b.monitorPid = monitorPid;
    b.monitorStarted = monitorStarted;
    b.stopSignal = stopSignal;
    b.lowerDirs = lowerDirs;
    b.volumes = volumes;
    b.anonymousVolumes = anonymousVolumes;
    b.oomKilled = oomKilled;
    b.hostname = hostname;
    b.memoryLimit = memoryLimit;
    b.openStdin = openStdin;
    b.paused = paused;
    b.logDropped = logDropped;
    b.network = network;
    b.networkStatus = networkStatus;
    b.labels = labels;
    b.stopTimeout = stopTimeout;
    b.restartPolicy = restartPolicy;
    b.restartCount = restartCount;
    b.stoppedByUser = stoppedByUser;
    b.healthcheck = healthcheck;
    b.health = health;
    b.exposedPorts = exposedPorts;
    return b;
  }

  /** Builds a {@link ContainerRecord}; see the record's fields. */
  public static final class Builder {
    private String id;
    private String name;
    private String image;
    private String imageId;
    private List<String> command;
    private String created;
    private ContainerState state;
    private Integer exitCode;
    private String startedAt;
    private String finishedAt;
    private String error;
    private String runtime;
    private boolean autoRemove;
    private Long monitorPid;
    private String monitorStarted;
    private String stopSignal;
    private List<String> lowerDirs;
    private List<String> volumes;
    private List<String> anonymousVolumes;
    private boolean oomKilled;
    private String hostname;
    private Long memoryLimit;
    private boolean openStdin;
    private boolean paused;
    private Long logDropped;

    private ContainerNetwork network;
    private dev.lamina.runner.network.NetworkStatus networkStatus;
    private java.util.Map<String, String> labels;
    private Integer stopTimeout;
    private String restartPolicy;
    private int restartCount;
    private boolean stoppedByUser;
    private dev.lamina.runner.health.HealthConfig healthcheck;
    private dev.lamina.runner.health.HealthState health;
    private List<String> exposedPorts;

    private Builder() {}

    public Builder exposedPorts(List<String> v) {
      this.exposedPorts = v;
      return this;
    }

    public Builder labels(java.util.Map<String, String> v) {
      this.labels = v;
      return this;
    }

    public Builder stopTimeout(Integer v) {
      this.stopTimeout = v;
      return this;
    }

    public Builder restartPolicy(String v) {
      this.restartPolicy = v;
      return this;
    }

    public Builder restartCount(int v) {
      this.restartCount = v;
      return this;
    }

    public Builder stoppedByUser(boolean v) {
      this.stoppedByUser = v;
      return this;
    }

    public Builder healthcheck(dev.lamina.runner.health.HealthConfig v) {
      this.healthcheck = v;
      return this;
    }

    public Builder health(dev.lamina.runner.health.HealthState v) {
      this.health = v;
      return this;
    }


    public Builder id(String v) {
      this.id = v;
      return this;
    }

    public Builder name(String v) {
      this.name = v;
      return this;
    }

    public Builder image(String v) {
      this.image = v;
      return this;
    }

    public Builder imageId(String v) {
      this.imageId = v;
      return this;
    }

    public Builder command(List<String> v) {
      this.command = v;
      return this;
    }

    public Builder created(String v) {
      this.created = v;
      return this;
    }

    public Builder state(ContainerState v) {
      this.state = v;
      return this;
    }

    public Builder exitCode(Integer v) {
      this.exitCode = v;
      return this;
    }

    public Builder startedAt(String v) {
      this.startedAt = v;
      return this;
    }

    public Builder finishedAt(String v) {
      this.finishedAt = v;
      return this;
    }

    public Builder error(String v) {
      this.error = v;
      return this;
    }

    public Builder runtime(String v) {
      this.runtime = v;
      return this;
    }

    public Builder autoRemove(boolean v) {
      this.autoRemove = v;
      return this;
    }

    public Builder monitorPid(Long v) {
      this.monitorPid = v;
      return this;
    }

    public Builder monitorStarted(String v) {
      this.monitorStarted = v;
      return this;
    }

    public Builder stopSignal(String v) {
      this.stopSignal = v;
      return this;
    }

    public Builder lowerDirs(List<String> v) {
      this.lowerDirs = v;
      return this;
    }

    public Builder volumes(List<String> v) {
      this.volumes = v;
      return this;
    }

    public Builder anonymousVolumes(List<String> v) {
      this.anonymousVolumes = v;
      return this;
    }

    public Builder oomKilled(boolean v) {
      this.oomKilled = v;
      return this;
    }

    public Builder hostname(String v) {
      this.hostname = v;
      return this;
    }

    public Builder memoryLimit(Long v) {
      this.memoryLimit = v;
      return this;
    }

    public Builder openStdin(boolean v) {
      this.openStdin = v;
      return this;
    }

    public Builder paused(boolean v) {
      this.paused = v;
      return this;
    }

    public Builder logDropped(Long v) {
      this.logDropped = v;
      return this;
    }

    public Builder network(ContainerNetwork v) {
      this.network = v;
      return this;
    }

    public Builder networkStatus(dev.lamina.runner.network.NetworkStatus v) {
      this.networkStatus = v;
      return this;
    }

    public ContainerRecord build() {
      return new ContainerRecord(
          id,
          name,
          image,
          imageId,
          command,
          created,
          state,
          exitCode,
          startedAt,
          finishedAt,
          error,
          runtime,
          autoRemove,
          monitorPid,
          monitorStarted,
          stopSignal,
          lowerDirs,
          volumes,
          anonymousVolumes,
          oomKilled,
          hostname,
          memoryLimit,
          openStdin,
          paused,
          logDropped,
          network,
          networkStatus,
          labels,
          stopTimeout,
          restartPolicy,
          restartCount,
          stoppedByUser,
          healthcheck,
          health,
          exposedPorts);
    }
  }
}
