package dev.lamina.runner;

import dev.lamina.runner.health.HealthConfig;
import java.util.Map;

/**
 * What a container keeps in its record beyond its runtime spec: the flags {@code stop}, {@code
 * ps}, its restart policy and its health checks read later.
 *
 * @param labels {@code --label}s, over the image's labels
 * @param stopSignal {@code --stop-signal}, over the image's STOPSIGNAL; null for the image's
 * @param stopTimeout {@code --stop-timeout} seconds; null for {@code stop}'s default (10)
 * @param restart {@code --restart}
 * @param healthcheck the health check to run instead of the image's HEALTHCHECK; null for the
 *     image's
 * @param noHealthcheck {@code --no-healthcheck}: none, whatever the image says
 * @param exposedPorts {@code --expose}'s ports ({@code 80/tcp}), added to the image's
 */
public record ContainerSettings(
    Map<String, String> labels,
    String stopSignal,
    Integer stopTimeout,
    RestartPolicy restart,
    HealthConfig healthcheck,
    boolean noHealthcheck,
    java.util.List<String> exposedPorts) {
  public static final ContainerSettings DEFAULTS =
      new ContainerSettings(Map.of(), null, null, RestartPolicy.NO, null, false, null);

  public ContainerSettings {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    exposedPorts = exposedPorts == null ? java.util.List.of() : java.util.List.copyOf(exposedPorts);
    restart = restart == null ? RestartPolicy.NO : restart;
    if (stopTimeout != null && stopTimeout < -1) {
      throw new IllegalArgumentException("--stop-timeout must be -1 (no limit) or more");
    }
  }

  /** The same, with {@code ports} as {@code --expose}'s. */
  public ContainerSettings withExposedPorts(java.util.List<String> ports) {
    return new ContainerSettings(
        labels, stopSignal, stopTimeout, restart, healthcheck, noHealthcheck, ports);
  }
}
