package dev.lamina.runner.network;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Docker's {@code -p/--publish} forms: {@code [ip:][hostPort:]containerPort[/tcp|udp]}, each port
 * a number or a range {@code A-B}; and {@code -P} for an image's {@code EXPOSE} ports. A missing
 * host port is left 0, to be picked when the network is set up.
 */
public final class PortSpecs {
  private PortSpecs() {}

  /**
   * Parses one {@code -p} value.
   *
   * @throws NetworkException with a one-line reason for a malformed spec
   */
  public static List<PortMapping> parse(String spec) throws NetworkException {
    String body = spec;
    String protocol = "tcp";
    int slash = spec.lastIndexOf('/');
    if (slash >= 0) {
      protocol = spec.substring(slash + 1).toLowerCase(Locale.ROOT);
      body = spec.substring(0, slash);
      if (!protocol.equals("tcp") && !protocol.equals("udp")) {
        throw invalid(spec, "protocol must be tcp or udp");
      }
    }
    if (body.startsWith("[")) {
      throw invalid(spec, "IPv6 host addresses are not supported");
    }
    String[] parts = body.split(":", -1);
    String ip = "";
    String host = "";
    String container;
    switch (parts.length) {
      case 1 -> container = parts[0];
      case 2 -> {
        host = parts[0];
        container = parts[1];
      }
      case 3 -> {
        ip = parts[0];
        host = parts[1];
        container = parts[2];
      }
      default -> throw invalid(spec, "expected [ip:][hostPort:]containerPort[/protocol]");
    }
    if (!ip.isEmpty() && !Ipv4.isAddress(ip)) {
      throw invalid(spec, "'" + ip + "' is not an IPv4 address");
    }
    if (ip.equals("0.0.0.0")) {
      ip = "";
    }
    int[] c = range(spec, container, "container port");
    if (host.isEmpty()) {
      // Each port of a container range gets a host port of its own, picked later.
      List<PortMapping> out = new ArrayList<>();
      for (int p = c[0]; p <= c[1]; p++) {
        out.add(new PortMapping(ip, 0, p, protocol, 1));
      }
      return out;
    }
    int[] h = range(spec, host, "host port");
    int count = c[1] - c[0] + 1;
    if (h[1] - h[0] + 1 != count) {
      throw invalid(spec, "host and container port ranges differ in length");
    }
    return List.of(new PortMapping(ip, h[0], c[0], protocol, count));
  }

  /**
   * Parses every {@code -p} value, refusing two mappings of one host port.
   *
   * @throws NetworkException for a malformed spec or a host port published twice
   */
  public static List<PortMapping> parseAll(Collection<String> specs) throws NetworkException {
    List<PortMapping> out = new ArrayList<>();
    for (String s : specs) {
      out.addAll(parse(s));
    }
    checkNoClash(out);
    return out;
  }

  /** Fails when two mappings publish the same host port, protocol and address. */
  static void checkNoClash(List<PortMapping> all) throws NetworkException {
    for (int i = 0; i < all.size(); i++) {
      for (int j = i + 1; j < all.size(); j++) {
        PortMapping a = all.get(i);
        PortMapping b = all.get(j);
        boolean sameIp = a.hostIp().isEmpty() || b.hostIp().isEmpty() || a.hostIp().equals(b.hostIp());
        if (a.hostPort() != 0 && b.hostPort() != 0 && sameIp && a.protocol().equals(b.protocol())
            && a.hostPort() < b.hostPort() + b.range() && b.hostPort() < a.hostPort() + a.range()) {
          throw new NetworkException(
              "host port " + Math.max(a.hostPort(), b.hostPort()) + "/" + a.protocol() + " is published twice");
        }
      }
    }
  }

  /**
   * {@code -P}: each exposed port (image config keys such as {@code 80/tcp} or {@code 53/udp}) on
   * a random host port of every address.
   *
   * @throws NetworkException for an exposed port that is not {@code PORT[/PROTO]}
   */
  public static List<PortMapping> publishAll(Collection<String> exposed) throws NetworkException {
    List<PortMapping> out = new ArrayList<>();
    for (String e : exposed) {
      out.addAll(parse(e));
    }
    return out;
  }

  private static int[] range(String spec, String text, String what) throws NetworkException {
    int dash = text.indexOf('-');
    int first = port(spec, dash < 0 ? text : text.substring(0, dash), what);
    int last = dash < 0 ? first : port(spec, text.substring(dash + 1), what);
    if (last < first) {
      throw invalid(spec, what + " range " + text + " ends before it starts");
    }
    return new int[] {first, last};
  }

  private static int port(String spec, String text, String what) throws NetworkException {
    if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
      throw invalid(spec, what + " '" + text + "' is not a number");
    }
    int p = Integer.parseInt(text);
    if (p < 1 || p > 65535) {
      throw invalid(spec, what + " " + p + " is out of range 1-65535");
    }
    return p;
  }

  private static NetworkException invalid(String spec, String why) {
    return new NetworkException("invalid port spec '" + spec + "': " + why);
  }
}
