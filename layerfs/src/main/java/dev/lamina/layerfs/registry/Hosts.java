package dev.lamina.layerfs.registry;

import java.util.Locale;

/** Host names that mean this machine. */
final class Hosts {
  private Hosts() {}

  /**
   * Whether {@code host} (no port) is a loopback name or address: {@code localhost}, {@code
   * 127.x.x.x}, {@code ::1}. Plain HTTP is allowed to these only, as podman allows.
   */
  static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.equals("localhost")
        || h.equals("::1")
        || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  /** The host part of {@code host[:port]}. */
  static String hostOf(String endpoint) {
    if (endpoint.startsWith("[")) {
      int end = endpoint.indexOf(']');
      return endpoint.substring(0, end + 1);
    }
    int colon = endpoint.indexOf(':');
    return colon < 0 ? endpoint : endpoint.substring(0, colon);
  }
}
