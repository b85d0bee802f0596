package dev.lamina.runner.network;

import java.nio.file.Path;

/**
 * How the default network is made on first use, and where host routes are read.
 *
 * @param name the default network's name ({@code lamina})
 * @param bridge its bridge interface ({@code lamina0})
 * @param preferredSubnet tried first; another /16 is picked when the host already routes it
 * @param routeTable the host's routing table ({@link HostRoutes#PROC_ROUTE})
 */
public record NetworkDefaults(String name, String bridge, Subnet preferredSubnet, Path routeTable) {
  /** Podman's default subnet, on a bridge of Lamina's own. */
  public static final Subnet PREFERRED = Subnet.parse("10.88.0.0/16");

  /** The defaults: {@code lamina} on {@code lamina0}, 10.88.0.0/16 unless the host routes it. */
  public static NetworkDefaults standard() {
    return new NetworkDefaults("lamina", "lamina0", PREFERRED, HostRoutes.PROC_ROUTE);
  }

  /** The same, reading host routes from another table (a copy, in tests). */
  public NetworkDefaults withRoutes(Path table) {
    return new NetworkDefaults(name, bridge, preferredSubnet, table);
  }

  /** The same, with another preferred subnet (given by the user). */
  public NetworkDefaults withSubnet(Subnet subnet) {
    return new NetworkDefaults(name, bridge, subnet, routeTable);
  }
}
