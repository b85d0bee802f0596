package dev.lamina.runner.network;

import dev.lamina.runner.internal.ResolvConfFile;
import java.util.ArrayList;
import java.util.List;

/**
 * A networked container's {@code /etc/resolv.conf}, as podman writes it: on a network with DNS,
 * aardvark-dns (the gateway) first and its search domain; otherwise the host's resolvers, less
 * loopback ones, which mean nothing inside the container's own namespace.
 *
 * @param nameservers in order
 * @param search search domains
 * @param options resolver options ({@code ndots:2})
 */
public record ResolvConf(List<String> nameservers, List<String> search, List<String> options) {
  /** Podman's fallback when the host has only loopback resolvers. */
  static final List<String> FALLBACK = List.of("8.8.8.8", "8.8.4.4");

  public ResolvConf {
    nameservers = List.copyOf(nameservers);
    search = List.copyOf(search);
    options = List.copyOf(options);
  }

  /**
   * The file for a container with {@code status}, given the host's {@code resolv.conf} text.
   * {@code dns}, {@code dnsSearch} and {@code dnsOptions} ({@code --dns} and friends) replace the
   * host's values when not empty; with aardvark-dns, {@code --dns} servers are its upstreams instead.
   */
  public static ResolvConf forContainer(
      NetworkStatus status, String hostResolvConf, List<String> dns, List<String> dnsSearch, List<String> dnsOptions) {
    List<String> servers = new ArrayList<>();
    List<String> search = new ArrayList<>();
    List<String> options = new ArrayList<>();
    ResolvConfFile host = ResolvConfFile.parse(hostResolvConf).withoutLoopback();
    List<String> hostServers = host.nameservers();
    List<String> hostSearch = host.search();
    options.addAll(host.options());
    for (NetworkAttachment a : status.attachments()) {
      a.dnsServers().stream().filter(s -> !servers.contains(s)).forEach(servers::add);
      a.searchDomains().stream().filter(s -> !search.contains(s)).forEach(search::add);
    }
    boolean aardvark = !servers.isEmpty();
    if (!aardvark) {
      servers.addAll(dns.isEmpty() ? (hostServers.isEmpty() ? FALLBACK : hostServers) : dns);
    }
    search.addAll(dnsSearch.isEmpty() ? hostSearch : dnsSearch);
    return new ResolvConf(servers, search, dnsOptions.isEmpty() ? options : dnsOptions);
  }

  /** The file's text. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    if (!search.isEmpty()) {
      sb.append("search ").append(String.join(" ", search)).append('\n');
    }
    for (String s : nameservers) {
      sb.append("nameserver ").append(s).append('\n');
    }
    if (!options.isEmpty()) {
      sb.append("options ").append(String.join(" ", options)).append('\n');
    }
    return sb.toString();
  }
}
