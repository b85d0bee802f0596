package dev.lamina.runner;

import dev.lamina.runner.network.NetworkRequest;
import java.util.List;
import java.util.Locale;

/**
 * A container's {@code --network}: the host's, none, its own namespace on bridge networks (with
 * what it asks of them), its own namespace connected by pasta (an unprivileged user's default,
 * with its published ports), or another container's namespace.
 *
 * @param mode which of these
 * @param request for {@link Mode#BRIDGE}: networks, ports, aliases, address; for {@link
 *     Mode#PASTA}: ports; else null
 * @param container for {@link Mode#CONTAINER}: the container whose namespace it joins (its id
 *     once created)
 * @param dns {@code --dns}
 * @param dnsSearch {@code --dns-search}
 * @param dnsOptions {@code --dns-option}
 * @param extraHosts {@code --add-host} lines of {@code /etc/hosts} ({@code ADDRESS<TAB>NAME})
 */
public record ContainerNetwork(
    Mode mode,
    NetworkRequest request,
    String container,
    List<String> dns,
    List<String> dnsSearch,
    List<String> dnsOptions,
    List<String> extraHosts) {
  /** The kinds of {@code --network}. */
  public enum Mode {
    HOST,
    NONE,
    BRIDGE,
    CONTAINER,
    PASTA
  }

  public ContainerNetwork {
    dns = dns == null ? List.of() : List.copyOf(dns);
    dnsSearch = dnsSearch == null ? List.of() : List.copyOf(dnsSearch);
    dnsOptions = dnsOptions == null ? List.of() : List.copyOf(dnsOptions);
    extraHosts = extraHosts == null ? List.of() : List.copyOf(extraHosts);
    if ((mode == Mode.BRIDGE || mode == Mode.PASTA) != (request != null)) {
      throw new IllegalArgumentException("a network request goes with bridge or pasta alone");
    }
  }

  /** The host's network, as before networks existed. */
  public static ContainerNetwork host() {
    return new ContainerNetwork(Mode.HOST, null, null, null, null, null, null);
  }

  /**
   * Whether this is {@link #host()}: the host's network with nothing added. Compared by hand: a
   * record's generated {@code equals} is bootstrapped at its first call, which costs a run
   * milliseconds of method-handle classes spun at run time.
   */
  public boolean equalsHost() {
    return mode == Mode.HOST && request == null && container == null && dns.isEmpty()
        && dnsSearch.isEmpty() && dnsOptions.isEmpty() && extraHosts.isEmpty();
  }

  /**
   * Parses a {@code --network} value: {@code host}, {@code none}, {@code container:ID}, or a
   * network's name ({@code bridge} for the default one).
   *
   * @throws IllegalArgumentException when it is empty or names no container
   */
  public static ContainerNetwork parse(String value, String containerName) {
    String v = value == null ? "" : value.strip();
    if (v.isEmpty()) {
      throw new IllegalArgumentException("--network needs a value: bridge, host, none, NAME or container:ID");
    }
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "host" -> host();
      case "none" -> new ContainerNetwork(Mode.NONE, null, null, null, null, null, null);
      case "pasta" -> pasta(containerName);
      case "bridge", "default" -> bridge(NetworkRequest.defaults(containerName));
      default -> {
        if (v.startsWith("container:")) {
          String ref = v.substring("container:".length());
          if (ref.isEmpty()) {
            throw new IllegalArgumentException("--network container: needs a container's name or id");
          }
          yield new ContainerNetwork(Mode.CONTAINER, null, ref, null, null, null, null);
        }
        yield bridge(NetworkRequest.defaults(containerName).withNetworks(List.of(v)));
      }
    };
  }

  /**
   * Parses every {@code --network} given (each may also list several, comma-separated, as
   * podman's): one value as {@link #parse(String, String)}; several join each of the networks
   * they name ({@code bridge} for the default one), each once, the first one primary. {@code
   * none}, {@code host}, {@code pasta} and {@code container:} cannot be combined with others.
   *
   * @throws IllegalArgumentException for an empty value, or a mode combined with others
   */
  public static ContainerNetwork parse(List<String> values, String containerName) {
    List<String> all = new java.util.ArrayList<>();
    for (String v : values) {
      for (String part : (v == null ? "" : v).split(",", -1)) {
        all.add(part.strip());
      }
    }
    if (all.size() == 1) {
      return parse(all.get(0), containerName);
    }
    java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
    for (String v : all) {
      ContainerNetwork n = parse(v, containerName);
      if (n.mode() != Mode.BRIDGE) {
        throw new IllegalArgumentException(
            "--network " + v + " cannot be combined with other networks: only bridge networks"
                + " (bridge or a NAME) can be joined together");
      }
      names.add(n.request().networks().isEmpty() ? "bridge" : n.request().networks().get(0));
    }
    return bridge(NetworkRequest.defaults(containerName).withNetworks(List.copyOf(names)));
  }

  /** A namespace of its own connected by pasta, no ports yet. */
  public static ContainerNetwork pasta(String containerName) {
    return new ContainerNetwork(
        Mode.PASTA, NetworkRequest.defaults(containerName), null, null, null, null, null);
  }

  /**
   * The mode {@code run} takes when {@code --network} is not given: for an unprivileged user
   * {@code pasta}, as podman's rootless default; for root {@code rootDefault}.
   */
  public static String defaultMode(String rootDefault) {
    return dev.lamina.layerfs.posix.Rootless.active() ? "pasta" : rootDefault;
  }

  private static ContainerNetwork bridge(NetworkRequest r) {
    return new ContainerNetwork(Mode.BRIDGE, r, null, null, null, null, null);
  }

  /** Whether it has a namespace of its own, set up at each start. */
  public boolean ownNamespace() {
    return mode == Mode.BRIDGE || mode == Mode.PASTA;
  }

  public ContainerNetwork withRequest(NetworkRequest r) {
    return new ContainerNetwork(mode, r, container, dns, dnsSearch, dnsOptions, extraHosts);
  }

  public ContainerNetwork withContainer(String id) {
    return new ContainerNetwork(mode, request, id, dns, dnsSearch, dnsOptions, extraHosts);
  }

  public ContainerNetwork withDns(List<String> servers, List<String> search, List<String> options) {
    return new ContainerNetwork(mode, request, container, servers, search, options, extraHosts);
  }

  public ContainerNetwork withExtraHosts(List<String> lines) {
    return new ContainerNetwork(mode, request, container, dns, dnsSearch, dnsOptions, lines);
  }
}
