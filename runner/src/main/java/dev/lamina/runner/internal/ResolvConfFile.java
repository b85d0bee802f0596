package dev.lamina.runner.internal;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A {@code resolv.conf} file, parsed, and made into a container's from the host's as BuildKit
 * and Docker make it: the host's {@code nameserver}, {@code search} ({@code domain} counts as one)
 * and {@code options} lines and anything else it says, normalised to one line each; for a
 * container outside the host's network namespace, loopback nameservers are dropped (they answer
 * only in the host's) and, when none is left, public ones take their place. The one reader of
 * resolver files, for build steps ({@code spec.EtcFiles}) and networked containers ({@code
 * network.ResolvConf}) alike.
 */
public final class ResolvConfFile {
  /** What is used when the host names no nameserver a container can reach (BuildKit's). */
  public static final List<String> DEFAULT_NAMESERVERS =
      List.of("8.8.8.8", "8.8.4.4", "2001:4860:4860::8888", "2001:4860:4860::8844");

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%\\S+)?");

  private final List<String> nameservers;
  private final List<String> search;
  private final List<String> options;
  private final List<String> other;

  private ResolvConfFile(
      List<String> nameservers, List<String> search, List<String> options, List<String> other) {
    this.nameservers = List.copyOf(nameservers);
    this.search = List.copyOf(search);
    this.options = List.copyOf(options);
    this.other = List.copyOf(other);
  }

  /**
   * Parses a {@code resolv.conf}. Comments and blank lines are dropped, as are nameservers that
   * are no IP address; the last {@code search} or {@code domain} line wins; options accumulate.
   */
  public static ResolvConfFile parse(String text) {
    List<String> nameservers = new ArrayList<>();
    List<String> search = new ArrayList<>();
    List<String> options = new ArrayList<>();
    List<String> other = new ArrayList<>();
    for (String line : text.split("\n")) {
      line = line.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      String[] fields = line.split("\\s+");
      switch (fields[0]) {
        case "nameserver" -> {
          if (fields.length > 1 && address(fields[1]) != null) {
            nameservers.add(fields[1]);
          }
        }
        case "search", "domain" -> {
          if (fields.length > 1) {
            search = new ArrayList<>(List.of(fields).subList(1, fields.length));
          }
        }
        case "options" -> options.addAll(List.of(fields).subList(1, fields.length));
        default -> other.add(line);
      }
    }
    return new ResolvConfFile(nameservers, search, options, other);
  }

  /** The nameservers, as written. */
  public List<String> nameservers() {
    return nameservers;
  }

  /** The search domains of the last {@code search} or {@code domain} line. */
  public List<String> search() {
    return search;
  }

  /** The options of every {@code options} line, in order. */
  public List<String> options() {
    return options;
  }

  /**
   * This configuration without its loopback nameservers ({@code 127.0.0.0/8}, {@code ::1},
   * {@code ::ffff:127.x.y.z}), which answer only in the host's network namespace.
   */
  public ResolvConfFile withoutLoopback() {
    List<String> kept = new ArrayList<>();
    for (String ns : nameservers) {
      if (!address(ns).isLoopbackAddress() && !mappedLoopback(address(ns))) {
        kept.add(ns);
      }
    }
    return new ResolvConfFile(kept, search, options, other);
  }

  /**
   * This configuration for a container with a network namespace of its own (or none): its
   * loopback nameservers dropped, and the public defaults used when no nameserver is left.
   */
  public ResolvConfFile outsideHostNetwork() {
    return withoutLoopback().withDefaultsIfEmpty();
  }

  /** This configuration, with the public defaults when it names no nameserver. */
  public ResolvConfFile withDefaultsIfEmpty() {
    return nameservers.isEmpty()
        ? new ResolvConfFile(DEFAULT_NAMESERVERS, search, options, other)
        : this;
  }

  /**
   * Whether this is systemd-resolved's stub configuration (its local listener 127.0.0.53 as the
   * only nameserver), which names the real upstream servers in another file.
   */
  public boolean isSystemdResolvedStub() {
    return nameservers.size() == 1 && nameservers.get(0).equals("127.0.0.53");
  }

  /** The file's text. */
  public String text() {
    StringBuilder sb = new StringBuilder();
    for (String ns : nameservers) {
      sb.append("nameserver ").append(ns).append('\n');
    }
    if (!search.isEmpty()) {
      sb.append("search ").append(String.join(" ", search)).append('\n');
    }
    if (!options.isEmpty()) {
      sb.append("options ").append(String.join(" ", options)).append('\n');
    }
    for (String line : other) {
      sb.append(line).append('\n');
    }
    return sb.toString();
  }

  /**
   * The address a nameserver literal names, or null when it is none. Only literals are parsed:
   * nothing here may cause a name lookup.
   */
  private static InetAddress address(String literal) {
    try {
      if (IPV4.matcher(literal).matches()) {
        String[] parts = literal.split("\\.");
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
          int n = Integer.parseInt(parts[i]);
          if (n > 255) {
            return null;
          }
          bytes[i] = (byte) n;
        }
        return InetAddress.getByAddress(bytes);
      }
      if (!IPV6.matcher(literal).matches()) {
        return null;
      }
      int zone = literal.indexOf('%');
      // A string with a colon is parsed as an IPv6 literal, never looked up.
      return InetAddress.getByName(zone < 0 ? literal : literal.substring(0, zone));
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** {@code ::ffff:127.0.0.1} and the like, which Java turns into IPv4 or keeps as IPv6. */
  private static boolean mappedLoopback(InetAddress a) {
    if (!(a instanceof Inet6Address)) {
      return false;
    }
    byte[] b = a.getAddress();
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff && (b[12] & 0xff) == 127;
  }
}
