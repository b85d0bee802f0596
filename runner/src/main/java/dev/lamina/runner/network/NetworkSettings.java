package dev.lamina.runner.network;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Docker's {@code NetworkSettings} of {@code inspect}: the primary network's IPAddress,
 * IPPrefixLen, Gateway and MacAddress, the Ports (each exposed or published {@code PORT/PROTO} to
 * its host bindings, or null when only exposed) and the Networks joined.
 *
 * @param status the container's network status
 * @param exposed the image's and the user's exposed ports ({@code 80/tcp})
 */
public record NetworkSettings(NetworkStatus status, List<String> exposed) {
  public NetworkSettings {
    exposed = List.copyOf(exposed);
  }

  /** The value as docker's JSON shape, field names and all. */
  public Map<String, Object> toDocker() {
    Map<String, Object> m = new LinkedHashMap<>();
    NetworkAttachment p = status.primary().orElse(null);
    m.put("IPAddress", p == null ? "" : p.address());
    m.put("IPPrefixLen", p == null ? 0 : p.prefix());
    m.put("Gateway", p == null || p.gateway() == null ? "" : p.gateway());
    m.put("MacAddress", p == null ? "" : p.mac());
    m.put("Ports", ports());
    Map<String, Object> nets = new LinkedHashMap<>();
    for (NetworkAttachment a : status.attachments()) {
      Map<String, Object> n = new LinkedHashMap<>();
      n.put("NetworkID", a.networkId());
      n.put("IPAddress", a.address());
      n.put("IPPrefixLen", a.prefix());
      n.put("Gateway", a.gateway() == null ? "" : a.gateway());
      n.put("MacAddress", a.mac());
      n.put("Aliases", a.aliases());
      nets.put(a.network(), n);
    }
    m.put("Networks", nets);
    return m;
  }

  /** {@code "80/tcp": [{"HostIp": "127.0.0.1", "HostPort": "8080"}]}, exposed-only ports null. */
  public Map<String, List<Map<String, String>>> ports() {
    Map<String, List<Map<String, String>>> out = new TreeMap<>();
    for (String e : exposed) {
      out.put(e.contains("/") ? e : e + "/tcp", null);
    }
    for (PortMapping pm : status.ports()) {
      for (int i = 0; i < pm.range(); i++) {
        String key = (pm.containerPort() + i) + "/" + pm.protocol();
        List<Map<String, String>> bindings = out.get(key);
        if (bindings == null) {
          bindings = new ArrayList<>();
          out.put(key, bindings);
        }
        Map<String, String> b = new LinkedHashMap<>();
        b.put("HostIp", pm.shownHostIp());
        b.put("HostPort", Integer.toString(pm.hostPort() + i));
        bindings.add(b);
      }
    }
    return out;
  }

  /**
   * Docker's PORTS column of {@code ps}: published mappings ({@code 127.0.0.1:8080->80/tcp}),
   * then exposed ports published nowhere ({@code 443/tcp}), comma-separated.
   */
  public static String portsColumn(List<PortMapping> published, Collection<String> exposed) {
    List<String> parts = new ArrayList<>();
    published.forEach(p -> parts.add(p.render()));
    for (String e : exposed) {
      String key = e.contains("/") ? e : e + "/tcp";
      boolean shown =
          published.stream()
              .anyMatch(
                  p -> {
                    String[] kp = key.split("/");
                    int port = Integer.parseInt(kp[0]);
                    return p.protocol().equals(kp[1])
                        && port >= p.containerPort()
                        && port < p.containerPort() + p.range();
                  });
      if (!shown) {
        parts.add(key);
      }
    }
    return String.join(", ", parts);
  }
}
