package dev.lamina.runner.network;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Picks a subnet for a network: the first candidate that overlaps neither a route the host has nor
 * another network's subnet. Podman picks the same way ({@code 10.89.N.0/24} for user networks).
 */
public final class SubnetChooser {
  private SubnetChooser() {}

  /** Candidates for the default network: the preferred one, then other /16s. */
  public static List<Subnet> defaultCandidates(Subnet preferred) {
    List<Subnet> out = new ArrayList<>();
    out.add(preferred);
    for (int b = 90; b <= 99; b++) {
      out.add(Subnet.parse("10." + b + ".0.0/16"));
    }
    for (int b = 16; b <= 31; b++) {
      out.add(Subnet.parse("172." + b + ".0.0/16"));
    }
    return out;
  }

  /** Candidates for a user network created without {@code --subnet}: 10.89.0.0/24 to 10.89.255.0/24. */
  public static List<Subnet> userCandidates() {
    List<Subnet> out = new ArrayList<>(256);
    for (int c = 0; c <= 255; c++) {
      out.add(Subnet.parse("10.89." + c + ".0/24"));
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
