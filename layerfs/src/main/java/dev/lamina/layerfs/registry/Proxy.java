package dev.lamina.layerfs.registry;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * A proxy from a proxy URL, with the schemes Go's HTTP transport takes: {@code http://} and
 * {@code https://} (an HTTP proxy, reached over TLS for https), {@code socks5://} and {@code
 * socks5h://} (a SOCKS5 proxy; both leave names for the proxy to resolve, as Go does). A URL
 * without a scheme is an http proxy. Credentials in the URL are the proxy's own.
 */
record Proxy(Kind kind, String host, int port, String user, String password) {
  /** The kinds of proxy, by URL scheme, with the port each defaults to. */
  enum Kind {
    HTTP("http", 80),
    HTTPS("https", 443),
    SOCKS5("socks5", 1080),
    SOCKS5H("socks5h", 1080);

    final String scheme;
    final int defaultPort;

    Kind(String scheme, int defaultPort) {
      this.scheme = scheme;
      this.defaultPort = defaultPort;
    }

    static Kind of(String scheme) {
      for (Kind k : values()) {
        if (k.scheme.equals(scheme)) {
          return k;
        }
      }
      return null;
    }
  }

  /**
   * The proxy {@code url} names.
   *
   * @param variable the environment variable it came from, for messages
   * @throws IOException if the URL is invalid or of a scheme no proxy is spoken to by
   */
  static Proxy parse(String url, String variable) throws IOException {
    String u = url.contains("://") ? url : "http://" + url; // Go: a bare host:port is http
    URI uri;
    try {
      uri = new URI(u);
    } catch (URISyntaxException e) {
      throw new IOException("invalid proxy URL in " + variable + ": " + e.getReason());
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    Kind kind = Kind.of(scheme);
    if (kind == null) {
      throw new IOException(scheme + ":// proxies are not supported (" + variable
          + "); use an http://, https://, socks5:// or socks5h:// proxy");
    }
    if (uri.getHost() == null) {
      throw new IOException("invalid proxy URL in " + variable + ": no host");
    }
    String user = null;
    String password = null;
    String info = uri.getUserInfo();
    if (info != null) {
      int colon = info.indexOf(':');
      user = colon < 0 ? info : info.substring(0, colon);
      password = colon < 0 ? "" : info.substring(colon + 1);
    }
    String host = uri.getHost();
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new Proxy(kind, host, uri.getPort() >= 0 ? uri.getPort() : kind.defaultPort, user,
        password);
  }

  /** Whether the proxy speaks SOCKS5 (rather than HTTP). */
  boolean socks() {
    return kind == Kind.SOCKS5 || kind == Kind.SOCKS5H;
  }

  /** Whether the connection to the proxy itself is TLS. */
  boolean tls() {
    return kind == Kind.HTTPS;
  }

  /** The {@code Proxy-Authorization} value for an HTTP proxy, or null without credentials. */
  String authorization() {
    if (user == null || socks()) {
      return null;
    }
    return "Basic " + Base64.getEncoder().encodeToString(
        (user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** The proxy's URL without its password, for messages. */
  @Override
  public String toString() {
    String h = host.contains(":") ? "[" + host + "]" : host;
    return kind.scheme + "://" + (user == null ? "" : user + "@") + h + ":" + port;
  }
}
