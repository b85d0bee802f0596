package dev.lamina.runner.network;

import dev.lamina.layerfs.json.JsonCodec;
import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * A {@link NetworkDefinition} in podman's network JSON, the shape netavark's {@code network_info}
 * takes: what is stored is what netavark gets, unchanged.
 */
final class NetworkDefinitionCodec implements JsonCodec<NetworkDefinition> {
  static final NetworkDefinitionCodec INSTANCE = new NetworkDefinitionCodec();

  private NetworkDefinitionCodec() {}

  @Override
  public void write(JsonWriter out, NetworkDefinition n) throws IOException {
    out.startObject()
        .string("name", n.name())
        .string("id", n.id())
        .string("driver", NetworkDefinition.DRIVER)
        .string("network_interface", n.bridge())
        .string("created", n.created());
    out.raw(
        "subnets",
        List.of(Map.of("subnet", n.subnet().toString(), "gateway", n.gatewayText())));
    out.bool("ipv6_enabled", false)
        .bool("internal", n.internal())
        .bool("dns_enabled", n.dnsEnabled());
    // Docker's rule, which netavark only keeps with this option: a container reaches no other
    // network's containers through the host.
    out.stringMap("options", Map.of("isolate", "true"));
    if (!n.labels().isEmpty()) {
      out.stringMap("labels", n.labels());
    }
    // host-local: the caller allocates each address (static_ips), as podman does.
    out.stringMap("ipam_options", Map.of("driver", "host-local"));
    out.endObject();
  }

  @Override
  public NetworkDefinition read(JsonObject in) throws JsonFormatException {
    String driver = in.string("driver");
    if (driver != null && !driver.equals(NetworkDefinition.DRIVER)) {
      throw in.invalid("driver", "unsupported network driver '" + driver + "'");
    }
    List<JsonObject> subnets = in.objects("subnets");
    if (subnets == null || subnets.isEmpty()) {
      throw in.invalid("subnets", "a network needs one IPv4 subnet");
    }
    JsonObject s = subnets.get(0);
    Subnet subnet;
    int gateway;
    try {
      subnet = Subnet.parse(s.string("subnet"));
      gateway = Ipv4.parse(s.string("gateway"));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw in.invalid("subnets", "invalid subnet or gateway");
    }
    Map<String, String> labels = in.stringMap("labels");
    return new NetworkDefinition(
        in.string("name"),
        in.string("id"),
        in.string("network_interface"),
        in.string("created"),
        subnet,
        gateway,
        in.bool("internal"),
        in.bool("dns_enabled"),
        labels == null ? Map.of() : labels);
  }
}
