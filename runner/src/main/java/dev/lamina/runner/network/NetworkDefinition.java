package dev.lamina.runner.network;

import java.util.Map;
import java.util.Objects;

/**
 * One bridge network as netavark reads it (podman's network JSON: {@code name}, {@code id},
 * {@code driver}, {@code network_interface}, {@code subnets}, {@code internal}, {@code
 * dns_enabled}, {@code ipam_options}). Stored unchanged in {@code networks/NAME.json} and passed to
 * netavark as the {@code network_info} entry.
 *
 * @param name the network's name
 * @param id 64 hex digits
 * @param bridge the host bridge interface (e.g. {@code lamina0})
 * @param created RFC 3339 creation time
 * @param subnet the IPv4 subnet
 * @param gateway the bridge's address in the subnet
 * @param internal no outbound NAT and no route out
 * @param dnsEnabled aardvark-dns answers names of the network's containers
 * @param labels user labels
 */
public record NetworkDefinition(
    String name,
    String id,
    String bridge,
    String created,
    Subnet subnet,
    int gateway,
    boolean internal,
    boolean dnsEnabled,
    Map<String, String> labels) {
  /** The only driver Lamina creates. */
  public static final String DRIVER = "bridge";

  public NetworkDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(subnet, "subnet");
    labels = Map.copyOf(labels);
  }

  /** The network in podman's network JSON, as stored and as netavark reads it. */
  public byte[] toJson() {
    return dev.lamina.layerfs.json.JsonWriter.toBytes(this, NetworkDefinitionCodec.INSTANCE);
  }

  /** The gateway as text. */
  public String gatewayText() {
    return Ipv4.format(gateway);
  }

  /** The first 12 digits of the id, as {@code network ls} shows it. */
  public String shortId() {
    return id.length() > 12 ? id.substring(0, 12) : id;
  }
}
