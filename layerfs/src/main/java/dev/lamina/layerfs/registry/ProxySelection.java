package dev.lamina.layerfs.registry;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Which proxy ({@link Proxy}) a request goes through, from the environment by the rules of
 * Go's {@code httpproxy.FromEnvironment} (as skopeo and podman use them): {@code HTTPS_PROXY} for https,
 * {@code HTTP_PROXY} for http (the upper-case name first, then the lower-case one), and {@code
 * NO_PROXY}, a comma-separated list of {@code *}, domain names (matching the name and its
 * subdomains; with a leading dot, its subdomains only), {@code host:port}, IP addresses and CIDR
 * ranges. {@code localhost} and loopback addresses are never proxied.
 */
public final class ProxySelection {
  /** Never a proxy. */
  public static final ProxySelection NONE = new ProxySelection(null, null, "");

  private final String httpProxy;
  private final String httpsProxy;
  private final boolean bypassAll;
  private final List<Rule> noProxy = new ArrayList<>();

  private ProxySelection(String httpProxy, String httpsProxy, String noProxy) {
    this.httpProxy = httpProxy;
    this.httpsProxy = httpsProxy;
    boolean all = false;
    for (String entry : noProxy.split(",")) {
      String e = entry.trim().toLowerCase(Locale.ROOT);
      if (e.equals("*")) {
        all = true;
      } else if (!e.isEmpty()) {
        Rule r = Rule.parse(e);
        if (r != null) {
          this.noProxy.add(r);
        }
      }
    }
    this.bypassAll = all;
  }

  /** The selection the given environment (such as {@link System#getenv()}) asks for. */
  public static ProxySelection fromEnvironment(Map<String, String> env) {
    return new ProxySelection(
        either(env, "HTTP_PROXY", "http_proxy"),
        either(env, "HTTPS_PROXY", "https_proxy"),
        Optional.ofNullable(either(env, "NO_PROXY", "no_proxy")).orElse(""));
  }

  private static String either(Map<String, String> env, String upper, String lower) {
    String v = env.get(upper);
    if (v == null || v.isEmpty()) {
      v = env.get(lower);
    }
    return v == null || v.isEmpty() ? null : v;
  }

  /**
   * The proxy for a request to {@code host:port} over {@code scheme} ({@code http} or {@code
   * https}); empty to connect directly.
   *
   * @throws IOException if the proxy the environment names cannot be used
   */
  Optional<Proxy> proxyFor(String scheme, String host, int port) throws IOException {
    String url = scheme.equalsIgnoreCase("https") ? httpsProxy : httpProxy;
    if (url == null || !proxied(host, port)) {
      return Optional.empty();
    }
    return Optional.of(Proxy.parse(url, scheme.equalsIgnoreCase("https") ? "HTTPS_PROXY"
        : "HTTP_PROXY"));
  }

  /** Whether a request to {@code host:port} goes through the proxy (NO_PROXY and loopback). */
  boolean proxied(String host, int port) {
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    byte[] ip = ipLiteral(h);
    if (h.equals("localhost") || ip != null && isLoopback(ip) || bypassAll) {
      return false;
    }
    for (Rule r : noProxy) {
      if (r.matches(h, ip, port)) {
        return false;
      }
    }
    return true;
  }

  private static boolean isLoopback(byte[] ip) {
    try {
      return InetAddress.getByAddress(ip).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * The bytes of an IPv4 or IPv6 literal, or null for a name. Names are never looked up: only
   * strings of digits and dots, or with a colon, are handed to {@link InetAddress}.
   */
  static byte[] ipLiteral(String s) {
    boolean v4 = s.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    boolean v6 = s.contains(":") && s.matches("[0-9a-fA-F:.]+");
    if (!v4 && !v6) {
      return null;
    }
    try {
      return InetAddress.getByName(s).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** One NO_PROXY entry. */
  private record Rule(byte[] ip, int prefix, String domain, boolean matchesItself, int port) {
    /** The rule for a trimmed, lower-case entry; null if it can match nothing. */
    static Rule parse(String e) {
      int slash = e.indexOf('/');
      if (slash >= 0) {
        byte[] net = ipLiteral(e.substring(0, slash));
        try {
          int bits = Integer.parseInt(e.substring(slash + 1));
          if (net != null && bits >= 0 && bits <= net.length * 8) {
            return new Rule(net, bits, null, false, -1);
          }
        } catch (NumberFormatException ignored) {
          // not a CIDR range: nothing it could match
        }
        return null;
      }
      String host = e;
      int port = -1;
      int colon = e.lastIndexOf(':');
      boolean bracketed = e.startsWith("[");
      if (colon > 0 && (bracketed ? e.indexOf(']') == colon - 1 : e.indexOf(':') == colon)) {
        try {
          port = Integer.parseInt(e.substring(colon + 1));
          host = e.substring(0, colon);
        } catch (NumberFormatException ignored) {
          // not host:port
        }
      }
      if (bracketed && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      byte[] ip = ipLiteral(host);
      if (ip != null) {
        return new Rule(ip, ip.length * 8, null, false, port);
      }
      if (host.startsWith("*.")) {
        host = host.substring(1);
      }
      boolean itself = !host.startsWith(".");
      String domain = itself ? "." + host : host;
      return domain.length() > 1 ? new Rule(null, 0, domain, itself, port) : null;
    }

    boolean matches(String host, byte[] hostIp, int hostPort) {
      if (port >= 0 && port != hostPort) {
        return false;
      }
      if (domain != null) {
        return host.endsWith(domain) || matchesItself && host.equals(domain.substring(1));
      }
      if (hostIp == null || hostIp.length != ip.length) {
        return false;
      }
      BigInteger mask = prefix == 0 ? BigInteger.ZERO
          : BigInteger.ONE.shiftLeft(prefix).subtract(BigInteger.ONE)
              .shiftLeft(ip.length * 8 - prefix);
      return new BigInteger(1, hostIp).and(mask).equals(new BigInteger(1, ip).and(mask));
    }
  }
}
