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
 * @param connections networks joined later ({@code network connect}), each with its own aliases
 *     and address; joined after {@code networks} at every start
 */
public record NetworkRequest(
    String containerName,
    List<String> networks,
    List<String> aliases,
    String staticIp,
    List<PortMapping> ports,
    List<String> dnsServers,
    List<Connection> connections) {
  /**
   * A network joined with {@code network connect}.
   *
   * @param network its name
   * @param aliases {@code --alias}
   * @param staticIp {@code --ip}, or null
   */
  public record Connection(String network, List<String> aliases, String staticIp) {
    public Connection {
      aliases = List.copyOf(aliases);
    }
  }

  public NetworkRequest {
    networks = List.copyOf(networks);
    aliases = List.copyOf(aliases);
    ports = List.copyOf(ports);
    dnsServers = List.copyOf(dnsServers);
    connections = connections == null ? List.of() : List.copyOf(connections);
  }

  /** A request without later connections. */
  public NetworkRequest(String containerName, List<String> networks, List<String> aliases,
      String staticIp, List<PortMapping> ports, List<String> dnsServers) {
    this(containerName, networks, aliases, staticIp, ports, dnsServers, List.of());
  }

  /** The default network, no ports. */
  public static NetworkRequest defaults(String containerName) {
    return new NetworkRequest(containerName, List.of(), List.of(), null, List.of(), List.of());
  }

  /** Every network joined: {@code networks}, then the connections'. */
  public List<String> allNetworks() {
    List<String> out = new java.util.ArrayList<>(networks);
    connections.forEach(c -> out.add(c.network()));
    return out;
  }

  /** The same, also joining {@code c}. */
  public NetworkRequest withConnection(Connection c) {
    List<Connection> more = new java.util.ArrayList<>(connections);
    more.add(c);
    return new NetworkRequest(containerName, networks, aliases, staticIp, ports, dnsServers, more);
  }

  /**
   * The same, no longer joining {@code network}: a connection is dropped, or the network is taken
   * out of {@code networks} (with the address asked for on it, when it was the first).
   */
  public NetworkRequest without(String network) {
    List<Connection> kept = connections.stream().filter(c -> !c.network().equals(network)).toList();
    if (kept.size() != connections.size()) {
      return new NetworkRequest(containerName, networks, aliases, staticIp, ports, dnsServers, kept);
    }
    List<String> left = networks.stream().filter(n -> !n.equals(network)).toList();
    String ip = !networks.isEmpty() && networks.get(0).equals(network) ? null : staticIp;
    if (left.isEmpty() && !connections.isEmpty()) {
      // No networks would mean the default one: the first connection takes their place.
      Connection c = connections.get(0);
      return new NetworkRequest(containerName, List.of(c.network()), c.aliases(), c.staticIp(),
          ports, dnsServers, connections.subList(1, connections.size()));
    }
    return new NetworkRequest(containerName, left, aliases, ip, ports, dnsServers, connections);
  }

  public NetworkRequest withNetworks(List<String> names) {
    return new NetworkRequest(containerName, names, aliases, staticIp, ports, dnsServers, connections);
  }

  public NetworkRequest withPorts(List<PortMapping> published) {
    return new NetworkRequest(containerName, networks, aliases, staticIp, published, dnsServers, connections);
  }

  public NetworkRequest withAliases(List<String> names) {
    return new NetworkRequest(containerName, networks, names, staticIp, ports, dnsServers, connections);
  }

  public NetworkRequest withContainerName(String name) {
    return new NetworkRequest(name, networks, aliases, staticIp, ports, dnsServers, connections);
  }

  public NetworkRequest withDnsServers(List<String> servers) {
    return new NetworkRequest(containerName, networks, aliases, staticIp, ports, servers, connections);
  }

  public NetworkRequest withStaticIp(String ip) {
    return new NetworkRequest(containerName, networks, aliases, ip, ports, dnsServers, connections);
  }
}
