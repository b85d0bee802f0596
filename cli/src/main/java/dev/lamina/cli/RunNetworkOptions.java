package dev.lamina.cli;

import dev.lamina.runner.ContainerNetwork;
import dev.lamina.runner.network.NetworkRequest;
import dev.lamina.runner.network.PortMapping;
import dev.lamina.runner.network.PortSpecs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** The network options of {@code run} and {@code create}, made into a {@link ContainerNetwork}. */
final class RunNetworkOptions {
  private RunNetworkOptions() {}

  /**
   * {@code --network} (repeatable) with {@code -p}, {@code -P}, {@code --dns*}, {@code --add-host}, {@code --ip}
   * and {@code --network-alias}.
   *
   * @throws UserException for a bad value, or a flag the network mode cannot honour
   */
  static ContainerNetwork network(
      List<String> modes, String name, List<String> publish, boolean publishAll,
      List<String> exposed, List<String> dns, List<String> dnsSearch, List<String> dnsOptions,
      List<String> addHosts, String ip, List<String> aliases) throws IOException {
    ContainerNetwork n;
    if (modes.isEmpty()) {
      modes = List.of(ContainerNetwork.defaultMode("bridge"));
    }
    String mode = String.join(",", modes);
    try {
      n = ContainerNetwork.parse(modes, name);
    } catch (IllegalArgumentException e) {
      throw new UserException(e.getMessage(), ExitCodes.ERROR);
    }
    List<PortMapping> ports = new ArrayList<>(PortSpecs.parseAll(publish));
    if (publishAll) {
      ports.addAll(PortSpecs.publishAll(exposed, ports));
    }
    if (n.ownNamespace()) {
      NetworkRequest r = n.request().withPorts(ports).withAliases(aliases).withStaticIp(ip);
      if (!dns.isEmpty()) {
        // aardvark-dns forwards to them on networks with DNS; resolv.conf names them otherwise.
        r = r.withDnsServers(dns);
      }
      n = n.withRequest(r);
    } else {
      String what = !publish.isEmpty() ? "--publish" : publishAll ? "--publish-all"
          : ip != null ? "--ip" : !aliases.isEmpty() ? "--network-alias" : null;
      if (what != null) {
        throw new UserException(
            what + " needs a network of the container's own (--network bridge, NAME or pasta),"
                + " not --network " + mode,
            ExitCodes.ERROR);
      }
    }
    if (n.mode() == ContainerNetwork.Mode.CONTAINER && !(dns.isEmpty() && addHosts.isEmpty())) {
      throw new UserException(
          "--dns and --add-host cannot be used with --network container:", ExitCodes.ERROR);
    }
    return n.withDns(dns, dnsSearch, dnsOptions).withExtraHosts(hostLines(addHosts));
  }

  /** {@code --add-host NAME:IP} (also {@code NAME=IP}) as {@code /etc/hosts} lines. */
  static List<String> hostLines(List<String> addHosts) {
    List<String> out = new ArrayList<>();
    for (String h : addHosts) {
      int sep = h.indexOf('=');
      if (sep < 0) {
        sep = h.indexOf(':');
      }
      if (sep <= 0 || sep == h.length() - 1) {
        throw new UserException("invalid --add-host '" + h + "': expected NAME:IP", ExitCodes.ERROR);
      }
      String host = h.substring(0, sep);
      String ip = h.substring(sep + 1);
      if (ip.startsWith("[") && ip.endsWith("]")) {
        ip = ip.substring(1, ip.length() - 1);
      }
      if (!host.matches("[A-Za-z0-9][A-Za-z0-9.-]*") || !ip.matches("[0-9A-Fa-f.:]+")) {
        throw new UserException("invalid --add-host '" + h + "': expected NAME:IP", ExitCodes.ERROR);
      }
      out.add(ip + "\t" + host);
    }
    return out;
  }
}
