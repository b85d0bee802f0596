package dev.lamina.runner.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's health as its checks found it, docker's {@code State.Health}.
 *
 * @param status {@link #STARTING}, {@link #HEALTHY} or {@link #UNHEALTHY}
 * @param failingStreak consecutive failed checks
 * @param log the last {@link #KEPT} checks, oldest first
 */
public record HealthState(
    @JsonProperty("status") String status,
    @JsonProperty("failingStreak") int failingStreak,
    @JsonProperty("log") List<Check> log) {
  public static final String STARTING = "starting";
  public static final String HEALTHY = "healthy";
  public static final String UNHEALTHY = "unhealthy";

  /** Docker keeps the last five results. */
  public static final int KEPT = 5;

  /** Output kept of one check (docker keeps 4 KiB). */
  public static final int OUTPUT_MAX = 4096;

  public HealthState {
    log = log == null ? List.of() : List.copyOf(log);
  }

  /** One check: when it ran, its exit code (-1 for a timeout) and its output. */
  public record Check(
      @JsonProperty("start") String start,
      @JsonProperty("end") String end,
      @JsonProperty("exitCode") int exitCode,
      @JsonProperty("output") String output) {}

  /** A container that has just started: no check has run. */
  public static HealthState starting() {
    return new HealthState(STARTING, 0, List.of());
  }

  /**
   * The state after {@code check}: healthy on success; on failure unhealthy once {@code retries}
   * failures follow each other, except that failures within the start period do not count while
   * no check has succeeded (docker's rule).
   */
  public HealthState after(Check check, int retries, boolean inStartPeriod) {
    List<Check> l = new ArrayList<>(log);
    l.add(check);
    while (l.size() > KEPT) {
      l.remove(0);
    }
    if (check.exitCode() == 0) {
      return new HealthState(HEALTHY, 0, l);
    }
    if (inStartPeriod && status.equals(STARTING)) {
      return new HealthState(status, failingStreak, l);
    }
    int streak = failingStreak + 1;
    return new HealthState(streak >= retries ? UNHEALTHY : status, streak, l);
  }
}
