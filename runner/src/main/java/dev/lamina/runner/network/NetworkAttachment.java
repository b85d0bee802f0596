package dev.lamina.runner.network;

import java.util.List;

/**
 * What one network gave a container, from netavark's status block.
 *
 * @param network the network's name
 * @param networkId the network's id
 * @param interfaceName the interface in the container ({@code eth0})
 * @param address the container's address
 * @param prefix the subnet's prefix length
 * @param gateway the gateway, or null on an internal network
 * @param mac the interface's MAC address
 * @param dnsServers aardvark-dns addresses serving this network (empty without DNS)
 * @param searchDomains search domains aardvark-dns answers ({@code dns.podman})
 * @param aliases names the container answers to on this network
 */
public record NetworkAttachment(
    String network,
    String networkId,
    String interfaceName,
    String address,
    int prefix,
    String gateway,
    String mac,
    List<String> dnsServers,
    List<String> searchDomains,
    List<String> aliases) {
  public NetworkAttachment {
    dnsServers = List.copyOf(dnsServers);
    searchDomains = List.copyOf(searchDomains);
    aliases = List.copyOf(aliases);
  }
}
