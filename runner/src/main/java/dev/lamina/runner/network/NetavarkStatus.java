package dev.lamina.runner.network;

import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads netavark's setup output: per network, {@code interfaces} (name to {@code mac_address} and
 * {@code subnets} of {@code ipnet} and {@code gateway}), {@code dns_server_ips} and {@code
 * dns_search_domains}.
 */
final class NetavarkStatus {
  private NetavarkStatus() {}

  /** The attachment of {@code join} in {@code status}. */
  static NetworkAttachment read(JsonObject status, NetavarkOptions.Join join, String containerName)
      throws NetworkException {
    NetworkDefinition n = join.network();
    try {
      JsonObject block = status.object(n.name());
      if (block == null) {
        throw new NetworkException("netavark reported nothing for network " + n.name());
      }
      JsonObject interfaces = block.object("interfaces");
      JsonObject iface = interfaces == null ? null : interfaces.object(join.interfaceName());
      if (iface == null) {
        throw new NetworkException(
            "netavark reported no interface " + join.interfaceName() + " on network " + n.name());
      }
      List<JsonObject> subnets = iface.objects("subnets");
      String address = Ipv4.format(join.address());
      int prefix = n.subnet().prefix();
      String gateway = null;
      if (subnets != null && !subnets.isEmpty()) {
        String ipnet = subnets.get(0).string("ipnet");
        int slash = ipnet.indexOf('/');
        address = slash < 0 ? ipnet : ipnet.substring(0, slash);
        prefix = slash < 0 ? prefix : Integer.parseInt(ipnet.substring(slash + 1));
        gateway = subnets.get(0).string("gateway");
      }
      List<String> aliases = new ArrayList<>();
      if (n.dnsEnabled()) {
        aliases.add(containerName);
        join.aliases().stream().filter(a -> !aliases.contains(a)).forEach(aliases::add);
      }
      List<String> dns = block.strings("dns_server_ips");
      List<String> search = block.strings("dns_search_domains");
      return new NetworkAttachment(
          n.name(),
          n.id(),
          join.interfaceName(),
          address,
          prefix,
          gateway,
          iface.string("mac_address"),
          dns == null ? List.of() : dns,
          search == null ? List.of() : search,
          aliases);
    } catch (JsonFormatException | NumberFormatException e) {
      throw new NetworkException("unexpected netavark status: " + e.getMessage(), e);
    }
  }
}
