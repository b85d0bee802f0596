package dev.lamina.runner.network;

import java.util.Locale;

/**
 * A published port range, as netavark's {@code port_mappings} takes it: {@code range} ports from
 * {@code hostPort} forward to as many from {@code containerPort}.
 *
 * @param hostIp the host address to listen on; empty for every address
 * @param hostPort the first host port; 0 until a free one is picked
 * @param containerPort the first container port
 * @param protocol {@code tcp} or {@code udp}
 * @param range how many consecutive ports, at least 1
 */
public record PortMapping(String hostIp, int hostPort, int containerPort, String protocol, int range) {
  public PortMapping {
    hostIp = hostIp == null ? "" : hostIp;
    protocol = protocol.toLowerCase(Locale.ROOT);
    if (range < 1) {
      throw new IllegalArgumentException("port range must hold at least one port");
    }
  }

  /** The same mapping on another host port. */
  public PortMapping withHostPort(int port) {
    return new PortMapping(hostIp, port, containerPort, protocol, range);
  }

  /** The host address as docker shows it: {@code 0.0.0.0} when every address. */
  public String shownHostIp() {
    return hostIp.isEmpty() ? "0.0.0.0" : hostIp;
  }

  /** Docker's PORTS text: {@code 127.0.0.1:8080->80/tcp}, or with ranges {@code 0.0.0.0:8080-8081->80-81/tcp}. */
  public String render() {
    return shownHostIp() + ":" + span(hostPort) + "->" + span(containerPort) + "/" + protocol;
  }

  private String span(int first) {
    return range == 1 ? Integer.toString(first) : first + "-" + (first + range - 1);
  }
}
