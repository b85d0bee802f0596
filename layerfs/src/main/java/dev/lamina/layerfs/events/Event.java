package dev.lamina.layerfs.events;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Something that happened to a container or an image, as {@code docker events} reports it.
 *
 * @param time when it happened
 * @param type {@link #CONTAINER} or {@link #IMAGE}
 * @param action {@code create}, {@code start}, {@code die}, {@code destroy}, {@code pull}, {@code
 *     push}, {@code tag}, {@code untag}, {@code delete}, {@code build}, {@code load}, {@code
 *     save}, {@code health_status}
 * @param id the container's or image's id
 * @param attributes docker's {@code Actor.Attributes}: {@code name}, {@code image}, {@code
 *     exitCode}, ...
 */
public record Event(
    Instant time, String type, String action, String id, Map<String, String> attributes) {
  public static final String CONTAINER = "container";
  public static final String IMAGE = "image";

  public Event {
    attributes =
        attributes == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new TreeMap<>(attributes));
  }

  /** An event that happens now. */
  public static Event now(String type, String action, String id, Map<String, String> attributes) {
    return new Event(Instant.now(), type, action, id, attributes);
  }
}
