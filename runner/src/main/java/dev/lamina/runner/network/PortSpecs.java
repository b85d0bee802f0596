package dev.lamina.runner.network;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * Docker's {@code -p/--publish} forms: {@code [ip:][hostPort:]containerPort[/tcp|udp]}, each port
 * a number or a range {@code A-B}; {@code --expose PORT[/PROTO]}; and {@code -P} for the exposed
 * ports (the image's and {@code --expose}'s). A missing host port is left 0, to be picked when the
 * network is set up.
 */
public final class PortSpecs {
  private PortSpecs() {}

  /**
   * Parses one {@code -p} value.
   *
   * @throws NetworkException with a one-line reason for a malformed spec
   */
  public static List<PortMapping> parse(String spec) throws NetworkException {
    Split split = split(subject(spec), spec);
    String body = split.body();
    String protocol = split.protocol();
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
    int[] c = range(subject(spec), container, "container port");
    if (host.isEmpty()) {
      // Each port of a container range gets a host port of its own, picked later.
      List<PortMapping> out = new ArrayList<>();
      for (int p = c[0]; p <= c[1]; p++) {
        out.add(new PortMapping(ip, 0, p, protocol, 1));
      }
      return out;
    }
    int[] h = range(subject(spec), host, "host port");
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
   * {@code -P}: each exposed port ({@code 80/tcp}, {@code 53/udp}, as image config keys and {@link
   * #exposed} have them) on a random host port of every address, except those {@code published}
   * publishes already ({@code -p} wins, as with docker and podman).
   *
   * @throws NetworkException for an exposed port that is not {@code PORT[/PROTO]}
   */
  public static List<PortMapping> publishAll(
      Collection<String> exposed, Collection<PortMapping> published) throws NetworkException {
    List<PortMapping> out = new ArrayList<>();
    for (String e : exposed) {
      for (PortMapping m : parse(e)) {
        boolean covered = published.stream().anyMatch(p -> p.protocol().equals(m.protocol())
            && m.containerPort() >= p.containerPort()
            && m.containerPort() < p.containerPort() + p.range());
        if (!covered) {
          out.add(m);
        }
      }
    }
    return out;
  }

  /**
   * {@code --expose} values: {@code PORT} or {@code FIRST-LAST}, with {@code /tcp} (the default)
   * or {@code /udp}, as the keys of an image config's {@code ExposedPorts}: one {@code PORT/PROTO}
   * a port, a range given port by port, in the order given, each once.
   *
   * @throws NetworkException with a one-line reason for a malformed value
   */
  public static List<String> exposed(Collection<String> specs) throws NetworkException {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    for (String spec : specs) {
      String subject = "--expose '" + spec + "'";
      Split split = split(subject, spec);
      int[] ports = range(subject, split.body(), "port");
      for (int p = ports[0]; p <= ports[1]; p++) {
        out.add(p + "/" + split.protocol());
      }
    }
    return List.copyOf(out);
  }

  /**
   * A container's exposed ports: the image's ({@code 80/tcp}; a bare {@code 80} is tcp) and then
   * {@code --expose}'s, each once, sorted as docker's {@code Config.ExposedPorts} shows them.
   */
  public static List<String> mergeExposed(Collection<String> image, Collection<String> more) {
    java.util.TreeSet<String> out = new java.util.TreeSet<>();
    for (Collection<String> c : List.of(image, more)) {
      for (String p : c) {
        out.add(p.contains("/") ? p : p + "/tcp");
      }
    }
    return List.copyOf(out);
  }

  /** A value without its {@code /PROTO}, and that protocol ({@code tcp} when none is given). */
  private record Split(String body, String protocol) {}

  private static Split split(String subject, String spec) throws NetworkException {
    int slash = spec.lastIndexOf('/');
    if (slash < 0) {
      return new Split(spec, "tcp");
    }
    String protocol = spec.substring(slash + 1).toLowerCase(Locale.ROOT);
    if (!protocol.equals("tcp") && !protocol.equals("udp")) {
      throw new NetworkException("invalid " + subject + ": protocol must be tcp or udp");
    }
    return new Split(spec.substring(0, slash), protocol);
  }

  /** What an error names: {@code port spec '8080:80'}. */
  private static String subject(String spec) {
    return "port spec '" + spec + "'";
  }

  private static int[] range(String subject, String text, String what) throws NetworkException {
    int dash = text.indexOf('-');
    int first = port(subject, dash < 0 ? text : text.substring(0, dash), what);
    int last = dash < 0 ? first : port(subject, text.substring(dash + 1), what);
    if (last < first) {
      throw new NetworkException(
          "invalid " + subject + ": " + what + " range " + text + " ends before it starts");
    }
    return new int[] {first, last};
  }

  private static int port(String subject, String text, String what) throws NetworkException {
    if (text.isEmpty() || text.length() > 5 || !text.chars().allMatch(Character::isDigit)) {
      throw new NetworkException("invalid " + subject + ": " + what + " '" + text + "' is not a number");
    }
    int p = Integer.parseInt(text);
    if (p < 1 || p > 65535) {
      throw new NetworkException(
          "invalid " + subject + ": " + what + " " + p + " is out of range 1-65535");
    }
    return p;
  }

  private static NetworkException invalid(String spec, String why) {
    return new NetworkException("invalid " + subject(spec) + ": " + why);
  }
}
