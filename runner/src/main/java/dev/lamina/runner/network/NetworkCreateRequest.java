package dev.lamina.runner.network;

import java.util.Map;

/**
 * What {@code network create} asks for.
 *
 * @param name the network's name
 * @param subnet the subnet, or null to pick a free one
 * @param gateway the gateway, or null for the subnet's first address
 * @param internal no outbound access
 * @param labels user labels
 */
public record NetworkCreateRequest(
    String name, String subnet, String gateway, boolean internal, Map<String, String> labels) {
  public NetworkCreateRequest {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** A network named {@code name} with every default. */
  public static NetworkCreateRequest named(String name) {
    return new NetworkCreateRequest(name, null, null, false, Map.of());
  }
}
