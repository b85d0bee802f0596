package dev.lamina.cli;

import dev.lamina.layerfs.oci.Timestamps;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --filter} of the prune commands, docker's: {@code until=TIME} (only what was created
 * before it: an RFC 3339 time, Unix seconds, or a duration ago such as {@code 24h}), {@code
 * label=KEY[=VALUE]} (only what has the label) and {@code label!=KEY[=VALUE]} (only what has not).
 * Parsed whole before anything is removed, so a bad filter removes nothing.
 */
final class PruneFilter {
  static final Set<String> KEYS = Set.of("until", "label", "label!");

  private final Filters filters;
  private final Instant until;

  private PruneFilter(Filters filters, Instant until) {
    this.filters = filters;
    this.until = until;
  }

  /**
   * Parses {@code values} ({@code KEY=VALUE} each).
   *
   * @throws UserException for an unknown key or a time that is none
   */
  static PruneFilter parse(List<String> values) {
    Filters filters = Filters.parse(values, KEYS);
    Instant until = null;
    Instant now = Instant.now();
    for (String text : filters.get("until")) {
      // Several until filters: what is older than all of them.
      Instant t;
      try {
        t = EventsCommand.time(text, now, "until");
      } catch (UserException e) {
        throw new UserException("invalid filter 'until=" + text + "' (want an RFC 3339 time,"
            + " Unix seconds or a duration such as 24h)", ExitCodes.USAGE);
      }
      until = until == null || t.isBefore(until) ? t : until;
    }
    return new PruneFilter(filters, until);
  }

  /** Whether an {@code until} filter is given. */
  boolean hasUntil() {
    return until != null;
  }

  /**
   * Whether something created at {@code created} (RFC 3339, null if unknown) with {@code labels}
   * passes every filter. What has no known creation time never passes {@code until}.
   */
  boolean matches(String created, Map<String, String> labels) {
    if (until != null) {
      try {
        if (created == null || !Timestamps.parse(created).isBefore(until)) {
          return false;
        }
      } catch (DateTimeException unreadable) {
        return false;
      }
    }
    return labelsMatch(labels == null ? Map.of() : labels);
  }

  /** Whether {@code labels} pass the {@code label} and {@code label!} filters. */
  boolean labelsMatch(Map<String, String> labels) {
    if (!filters.labels(labels)) {
      return false;
    }
    for (String v : filters.get("label!")) {
      if (Filters.hasLabel(labels, v)) {
        return false;
      }
    }
    return true;
  }
}
