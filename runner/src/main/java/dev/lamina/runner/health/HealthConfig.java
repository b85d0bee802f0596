package dev.lamina.runner.health;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.lamina.layerfs.oci.ContainerConfig;
import java.time.Duration;
import java.util.List;

/**
 * How a container's health is checked: docker's {@code HEALTHCHECK} (from the image, or the
 * {@code --health-*} flags over it).
 *
 * @param test {@code ["CMD", prog, args...]} or {@code ["CMD-SHELL", "command"]}
 * @param intervalNanos time between two checks
 * @param timeoutNanos a check running longer fails
 * @param startPeriodNanos failures during this time after the start do not count
 * @param retries consecutive failures that make it unhealthy
 */
public record HealthConfig(
    @JsonProperty("test") List<String> test,
    @JsonProperty("interval") long intervalNanos,
    @JsonProperty("timeout") long timeoutNanos,
    @JsonProperty("startPeriod") long startPeriodNanos,
    @JsonProperty("retries") int retries) {
  /** Docker's defaults for what a HEALTHCHECK leaves out. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_RETRIES = 3;

  /** A check with these durations. */
  public HealthConfig(
      List<String> test, Duration interval, Duration timeout, Duration startPeriod, int retries) {
    this(test, interval.toNanos(), timeout.toNanos(), startPeriod.toNanos(), retries);
  }

  public HealthConfig {
    test = test == null ? List.of() : List.copyOf(test);
    if (test.isEmpty() || !(test.get(0).equals("CMD") || test.get(0).equals("CMD-SHELL"))
        || test.size() < 2) {
      throw new IllegalArgumentException("a health check needs a command (CMD or CMD-SHELL)");
    }
    if (intervalNanos <= 0 || timeoutNanos <= 0 || startPeriodNanos < 0) {
      throw new IllegalArgumentException("health check durations must be positive");
    }
    if (retries < 1) {
      throw new IllegalArgumentException("--health-retries must be at least 1");
    }
  }

  /**
   * The image's HEALTHCHECK with docker's defaults, or null when it has none or {@code NONE}.
   */
  public static HealthConfig ofImage(ContainerConfig.Healthcheck h) {
    if (h == null || h.test() == null || h.test().isEmpty() || h.test().get(0).equals("NONE")) {
      return null;
    }
    return new HealthConfig(
        h.test(),
        nanos(h.interval(), DEFAULT_INTERVAL),
        nanos(h.timeout(), DEFAULT_TIMEOUT),
        nanos(h.startPeriod(), Duration.ZERO),
        h.retries() == null || h.retries() == 0 ? DEFAULT_RETRIES : h.retries());
  }

  private static Duration nanos(Long n, Duration absent) {
    return n == null || n == 0 ? absent : Duration.ofNanos(n);
  }

  @JsonIgnore
  public Duration interval() {
    return Duration.ofNanos(intervalNanos);
  }

  @JsonIgnore
  public Duration timeout() {
    return Duration.ofNanos(timeoutNanos);
  }

  @JsonIgnore
  public Duration startPeriod() {
    return Duration.ofNanos(startPeriodNanos);
  }

  /** The argv to run in the container: {@code CMD-SHELL} through {@code /bin/sh -c}. */
  @JsonIgnore
  public List<String> command() {
    if (test.get(0).equals("CMD-SHELL")) {
      return List.of("/bin/sh", "-c", String.join(" ", test.subList(1, test.size())));
    }
    return test.subList(1, test.size());
  }
}
