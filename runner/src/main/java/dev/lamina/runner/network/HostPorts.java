package dev.lamina.runner.network;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Host ports for published mappings: picks a free one where none was given (as podman does, by
 * letting the kernel choose), and refuses a port something on the host already listens on.
 */
public final class HostPorts {
  private HostPorts() {}

  /**
   * The mappings with every missing host port filled in, each port checked free.
   *
   * @throws NetworkException naming the port and address already in use
   */
  public static List<PortMapping> resolve(List<PortMapping> mappings) throws IOException {
    List<PortMapping> out = new ArrayList<>();
    for (PortMapping m : mappings) {
      if (m.hostPort() == 0) {
        out.add(m.withHostPort(bind(m, 0)));
      } else {
        for (int i = 0; i < m.range(); i++) {
          bind(m, m.hostPort() + i);
        }
        out.add(m);
      }
    }
    PortSpecs.checkNoClash(out);
    return out;
  }

  /** Binds and releases the port; returns the port bound (the kernel's pick for 0). */
  private static int bind(PortMapping m, int port) throws IOException {
    InetAddress ip = InetAddress.getByName(m.shownHostIp());
    InetSocketAddress at = new InetSocketAddress(ip, port);
    try {
      if (m.protocol().equals("udp")) {
        try (DatagramSocket s = new DatagramSocket(null)) {
          s.bind(at);
          return s.getLocalPort();
        }
      }
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(at);
        return s.getLocalPort();
      }
    } catch (IOException e) {
      throw new NetworkException(
          "cannot publish " + m.shownHostIp() + ":" + port + "/" + m.protocol() + ": " + e.getMessage(), e);
    }
  }
}
