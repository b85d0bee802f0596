package dev.lamina.runner.network;

import java.nio.file.Path;

/**
 * Where networks live, and how the default network is made.
 *
 * <p>The default network is implicit, like podman's {@code podman} network: it is not written
 * anywhere while its preferred subnet serves, so a private store or a test writes nothing in the
 * host's configuration by using it. Its subnet is {@link #PREFERRED} ({@code LAMINA_DEFAULT_SUBNET}
 * overrides it, and wins); only when the host already routes that subnet is another one picked and
 * written, so that every later command agrees on it.
 *
 * @param name the default network's name ({@code lamina})
 * @param bridge its bridge interface ({@code lamina0})
 * @param preferredSubnet tried first
 * @param subnetGiven whether {@code preferredSubnet} was given by the user: then it is used as is,
 *     whatever the host routes
 * @param routeTable the host's routing table ({@link HostRoutes#PROC_ROUTE})
 * @param directories where definitions, leases and run-time state live
 */
public record NetworkDefaults(
    String name,
    String bridge,
    Subnet preferredSubnet,
    boolean subnetGiven,
    Path routeTable,
    NetworkDirectories directories) {
  /**
   * The default network's subnet: neither podman's ({@code 10.88.0.0/16} for its default
   * network, {@code 10.89.N.0/24} for the others), which may run on the same host, nor Docker's
   * {@code 172.17.0.0/16}.
   */
  public static final Subnet PREFERRED = Subnet.parse("10.90.0.0/16");

  /** The defaults: {@code lamina} on {@code lamina0}, 10.90.0.0/16 unless the host routes it. */
  public static NetworkDefaults standard() {
    return new NetworkDefaults(
        "lamina", "lamina0", PREFERRED, false, HostRoutes.PROC_ROUTE, NetworkDirectories.standard());
  }

  /** The same, reading host routes from another table (a copy, in tests). */
  public NetworkDefaults withRoutes(Path table) {
    return new NetworkDefaults(name, bridge, preferredSubnet, subnetGiven, table, directories);
  }

  /** The same, with the default network on {@code subnet}, given by the user. */
  public NetworkDefaults withSubnet(Subnet subnet) {
    return new NetworkDefaults(name, bridge, subnet, true, routeTable, directories);
  }

  /** The same, with another default network (a test's own, on a bridge of its own). */
  public NetworkDefaults withDefaultNetwork(String network, String bridgeName) {
    return new NetworkDefaults(network, bridgeName, preferredSubnet, subnetGiven, routeTable, directories);
  }

  /** The same, keeping networks in {@code dirs}. */
  public NetworkDefaults withDirectories(NetworkDirectories dirs) {
    return new NetworkDefaults(name, bridge, preferredSubnet, subnetGiven, routeTable, dirs);
  }
}
