package dev.lamina.runner.network;

import java.util.List;

/**
 * What a container asks of its networks.
 *
 * @param containerName the container's name (aardvark-dns answers it)
 * @param networks the networks to join, first one primary; empty for the default network
 * @param aliases extra names on networks with DNS ({@code --network-alias})
 * @param staticIp the address wanted on the first network ({@code --ip}), or null
 * @param ports published ports (host port 0 = pick a free one)
 * @param dnsServers upstream servers aardvark-dns forwards to instead of the host's ({@code --dns})
 */
public record NetworkRequest(
    String containerName,
    List<String> networks,
    List<String> aliases,
    String staticIp,
    List<PortMapping> ports,
    List<String> dnsServers) {
  public NetworkRequest {
    networks = List.copyOf(networks);
    aliases = List.copyOf(aliases);
    ports = List.copyOf(ports);
    dnsServers = List.copyOf(dnsServers);
  }

  /** The default network, no ports. */
  public static NetworkRequest defaults(String containerName) {
    return new NetworkRequest(containerName, List.of(), List.of(), null, List.of(), List.of());
  }

  public NetworkRequest withNetworks(List<String> names) {
    return new NetworkRequest(containerName, names, aliases, staticIp, ports, dnsServers);
  }

  public NetworkRequest withPorts(List<PortMapping> published) {
    return new NetworkRequest(containerName, networks, aliases, staticIp, published, dnsServers);
  }

  public NetworkRequest withAliases(List<String> names) {
    return new NetworkRequest(containerName, networks, names, staticIp, ports, dnsServers);
  }

  public NetworkRequest withStaticIp(String ip) {
    return new NetworkRequest(containerName, networks, aliases, ip, ports, dnsServers);
  }
}
