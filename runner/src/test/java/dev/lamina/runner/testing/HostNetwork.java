package dev.lamina.runner.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The host's network state that a test of container networks compares before and after: its
 * links, its named network namespaces and its firewall rules (as iptables and as nftables show
 * them). Teardown must leave them as they were.
 */
public final class HostNetwork {
  /**
   * Chains and jumps netavark makes once and keeps after the last network is torn down, as it does
   * for podman: they are not a leak.
   */
  private static final List<String> NETAVARK_SCAFFOLD =
      List.of(
          "-j NETAVARK_FORWARD",
          "-j NETAVARK-HOSTPORT-DNAT",
          "-j NETAVARK-HOSTPORT-MASQ",
          "-A NETAVARK-HOSTPORT-MASQ ",
          "-A NETAVARK-HOSTPORT-SETMARK ");

  private HostNetwork() {}

  /** The names of the host's links (veths without their peer suffix). */
  public static Set<String> links() throws IOException, InterruptedException {
    return output(List.of("ip", "-o", "link")).lines()
        .filter(l -> l.contains(": "))
        .map(l -> l.split(": ")[1].split("@")[0])
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** The host's iptables rules, sorted, without netavark's lasting scaffold. */
  public static List<String> rules() throws IOException, InterruptedException {
    return output(List.of("iptables-save")).lines()
        .filter(l -> l.startsWith("-A "))
        .filter(l -> NETAVARK_SCAFFOLD.stream().noneMatch(l::contains))
        .sorted()
        .toList();
  }

  /** The same scaffold as nft shows it (iptables-nft's tables), rule by rule. */
  private static final List<String> NFT_SCAFFOLD =
      List.of(
          "jump NETAVARK_FORWARD",
          "jump NETAVARK-HOSTPORT-DNAT",
          "jump NETAVARK-HOSTPORT-MASQ",
          "meta mark & 0x00002000 == 0x00002000",
          "meta mark set mark or 0x2000");

  /** The host's named network namespaces, as {@code ip netns list} shows them. */
  public static Set<String> namespaces() throws IOException, InterruptedException {
    return output(List.of("ip", "netns", "list")).lines()
        .map(l -> l.split(" ")[0])
        .filter(l -> !l.isBlank())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * The rules of the host's nftables ruleset ({@code nft -s list ruleset}: without counters'
   * values), sorted, without netavark's lasting scaffold; tables and chains themselves left out.
   */
  public static List<String> nftRules() throws IOException, InterruptedException {
    return output(List.of("nft", "-s", "list", "ruleset")).lines()
        .map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#") && !l.startsWith("table ")
            && !l.startsWith("chain ") && !l.startsWith("type ") && !l.equals("}"))
        .filter(l -> NFT_SCAFFOLD.stream().noneMatch(l::contains))
        .sorted()
        .toList();
  }

  private static String output(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed: " + out.strip());
    }
    return out;
  }
}
