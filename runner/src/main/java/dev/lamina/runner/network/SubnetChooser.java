package dev.lamina.runner.network;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Picks a subnet for a network: the first candidate that overlaps neither a route the host has nor
 * another network's subnet. Podman picks the same way, from other ranges: {@code 10.88.0.0/16}
 * is its default network and {@code 10.89.N.0/24} its user networks, and podman and Lamina may
 * run side by side, so Lamina's ranges are {@code 10.90.0.0/16} for the default network (others
 * from {@code 10.92-99.0.0/16} and {@code 172.16-31.0.0/16} when the host routes it) and {@code
 * 10.91.N.0/24} for user networks.
 */
public final class SubnetChooser {
  private SubnetChooser() {}

  /** Candidates for the default network: the preferred one, then other /16s. */
  public static List<Subnet> defaultCandidates(Subnet preferred) {
    List<Subnet> out = new ArrayList<>();
    out.add(preferred);
    for (int b = 92; b <= 99; b++) {
      out.add(Subnet.parse("10." + b + ".0.0/16"));
    }
    for (int b = 16; b <= 31; b++) {
      out.add(Subnet.parse("172." + b + ".0.0/16"));
    }
    return out;
  }

  /** The range user networks created without {@code --subnet} take /24s from. */
  public static final Subnet USER_RANGE = Subnet.parse("10.91.0.0/16");

  /** Candidates for a user network created without {@code --subnet}: 10.91.0.0/24 to 10.91.255.0/24. */
  public static List<Subnet> userCandidates() {
    List<Subnet> out = new ArrayList<>(256);
    for (int c = 0; c <= 255; c++) {
      out.add(Subnet.parse("10.91." + c + ".0/24"));
    }
    return out;
  }

  /** The first candidate clashing with nothing in {@code taken}. */
  public static Optional<Subnet> choose(List<Subnet> candidates, List<Subnet> taken) {
    for (Subnet c : candidates) {
      if (taken.stream().noneMatch(c::overlaps)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
