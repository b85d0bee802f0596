package dev.lamina.runner;

import dev.lamina.layerfs.oci.Timestamps;
import java.time.Duration;
import java.time.Instant;

/** The words {@code ps} shows: {@code Up 5 seconds}, {@code Exited (7) 3 seconds ago}. */
public final class StatusText {
  private StatusText() {}

  /** The STATUS column for {@code record} at {@code now}. */
  public static String of(ContainerRecord record, Instant now) {
    return switch (record.state()) {
      case CREATED -> "Created";
      case RUNNING -> "Up " + human(since(record.startedAt(), now))
          + (record.paused() ? " (Paused)" : health(record));
      case EXITED -> "Exited ("
          + (record.exitCode() == null ? "unknown" : record.exitCode())
          + ") "
          + human(since(record.finishedAt(), now))
          + " ago";
    };
  }

  /** Docker's suffix: {@code (health: starting)}, {@code (healthy)}, {@code (unhealthy)}. */
  private static String health(ContainerRecord record) {
    if (record.health() == null) {
      return "";
    }
    String status = record.health().status();
    return status.equals(dev.lamina.runner.health.HealthState.STARTING)
        ? " (health: starting)"
        : " (" + status + ")";
  }

  /** The CREATED column: {@code 3 seconds ago}. */
  public static String created(ContainerRecord record, Instant now) {
    return human(since(record.created(), now)) + " ago";
  }

  private static Duration since(String rfc3339, Instant now) {
    if (rfc3339 == null) {
      return Duration.ZERO;
    }
    Duration d = Duration.between(Timestamps.parse(rfc3339), now);
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** Docker's HumanDuration (go-units), e.g. {@code About a minute}, {@code 3 hours}. */
  public static String human(Duration d) {
    long seconds = d.toSeconds();
    if (seconds < 1) {
      return "Less than a second";
    }
    if (seconds == 1) {
      return "1 second";
    }
    if (seconds < 60) {
      return seconds + " seconds";
    }
    long minutes = d.toMinutes();
    if (minutes == 1) {
      return "About a minute";
    }
    if (minutes < 60) {
      return minutes + " minutes";
    }
    long hours = Math.round(d.toSeconds() / 3600.0);
    if (hours == 1) {
      return "About an hour";
    }
    if (hours < 48) {
      return hours + " hours";
    }
    if (hours < 24 * 7 * 2) {
      return hours / 24 + " days";
    }
    if (hours < 24 * 30 * 2) {
      return hours / 24 / 7 + " weeks";
    }
    if (hours < 24 * 365 * 2) {
      return hours / 24 / 30 + " months";
    }
    return hours / 24 / 365 + " years";
  }
}
