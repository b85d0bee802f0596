package dev.lamina.layerfs.oci;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The execution parameters inside an image config ({@code config.config}). Null means "not set",
 * which differs from an empty list for Entrypoint and Cmd (Docker's rules depend on it). Maps are
 * kept sorted so serialisation is canonical.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ContainerConfig(
    @JsonProperty("User") String user,
    @JsonProperty("ExposedPorts") Map<String, Map<String, Object>> exposedPorts,
    @JsonProperty("Env") List<String> env,
    @JsonProperty("Entrypoint") List<String> entrypoint,
    @JsonProperty("Cmd") List<String> cmd,
    @JsonProperty("Volumes") Map<String, Map<String, Object>> volumes,
    @JsonProperty("WorkingDir") String workingDir,
    @JsonProperty("Labels") Map<String, String> labels,
    @JsonProperty("StopSignal") String stopSignal,
    @JsonProperty("ArgsEscaped") Boolean argsEscaped,
    @JsonProperty("Healthcheck") Healthcheck healthcheck,
    @JsonProperty("OnBuild") List<String> onBuild,
    @JsonProperty("Shell") List<String> shell) {

  public static final ContainerConfig EMPTY =
      new ContainerConfig(
          null, null, null, null, null, null, null, null, null, null, null, null, null);

  public ContainerConfig {
    exposedPorts = sorted(exposedPorts);
    volumes = sorted(volumes);
    labels = labels == null ? null : new TreeMap<>(labels);
    env = env == null ? null : List.copyOf(env);
    entrypoint = entrypoint == null ? null : List.copyOf(entrypoint);
    cmd = cmd == null ? null : List.copyOf(cmd);
    onBuild = onBuild == null ? null : List.copyOf(onBuild);
    shell = shell == null ? null : List.copyOf(shell);
  }

  private static Map<String, Map<String, Object>> sorted(Map<String, Map<String, Object>> m) {
    if (m == null) {
      return null;
    }
    Map<String, Map<String, Object>> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v == null ? Map.of() : v));
    return out;
  }

  /** Builder seeded from this config; changes return a new config. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Docker's HEALTHCHECK fields; durations in nanoseconds. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Healthcheck(
      @JsonProperty("Test") List<String> test,
      @JsonProperty("Interval") Long interval,
      @JsonProperty("Timeout") Long timeout,
      @JsonProperty("StartPeriod") Long startPeriod,
      @JsonProperty("StartInterval") Long startInterval,
      @JsonProperty("Retries") Integer retries) {}

  /** Mutable builder for a {@link ContainerConfig}. */
  public static final class Builder {
    private String user;
    private Map<String, Map<String, Object>> exposedPorts;
    private List<String> env;
    private List<String> entrypoint;
    private List<String> cmd;
    private Map<String, Map<String, Object>> volumes;
    private String workingDir;
    private Map<String, String> labels;
    private String stopSignal;
    private Boolean argsEscaped;
    private Healthcheck healthcheck;
    private List<String> onBuild;
    private List<String> shell;

    private Builder(ContainerConfig c) {
      user = c.user;
      exposedPorts = c.exposedPorts;
      env = c.env;
      entrypoint = c.entrypoint;
      cmd = c.cmd;
      volumes = c.volumes;
      workingDir = c.workingDir;
      labels = c.labels;
      stopSignal = c.stopSignal;
      argsEscaped = c.argsEscaped;
      healthcheck = c.healthcheck;
      onBuild = c.onBuild;
      shell = c.shell;
    }

    public Builder user(String v) {
      user = v;
      return this;
    }

    public Builder exposedPorts(Map<String, Map<String, Object>> v) {
      exposedPorts = v;
      return this;
    }

    public Builder env(List<String> v) {
      env = v;
      return this;
    }

    public Builder entrypoint(List<String> v) {
      entrypoint = v;
      return this;
    }

    public Builder cmd(List<String> v) {
      cmd = v;
      return this;
    }

    public Builder volumes(Map<String, Map<String, Object>> v) {
      volumes = v;
      return this;
    }

    public Builder workingDir(String v) {
      workingDir = v;
      return this;
    }

    public Builder labels(Map<String, String> v) {
      labels = v;
      return this;
    }

    public Builder stopSignal(String v) {
      stopSignal = v;
      return this;
    }

    public Builder argsEscaped(Boolean v) {
      argsEscaped = v;
      return this;
    }

    public Builder healthcheck(Healthcheck v) {
      healthcheck = v;
      return this;
    }

    public Builder onBuild(List<String> v) {
      onBuild = v;
      return this;
    }

    public Builder shell(List<String> v) {
      shell = v;
      return this;
    }

    public ContainerConfig build() {
      return new ContainerConfig(
          user,
          exposedPorts,
          env,
          entrypoint,
          cmd,
          volumes,
          workingDir,
          labels,
          stopSignal,
          argsEscaped,
          healthcheck,
          onBuild,
          shell);
    }
  }
}
