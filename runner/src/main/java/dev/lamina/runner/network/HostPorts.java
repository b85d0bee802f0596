package dev.lamina.runner.network;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Host ports for published mappings: each host port is bound by a socket of this process,
 * neither listening nor connected, from the moment it is chosen (the kernel's pick where none was
 * given) until netavark's rules for it exist, so nothing else on the host takes it in between;
 * from then on netavark's DNAT rule takes the traffic before any local socket would. Podman goes
 * further and keeps the sockets in conmon for the container's life; Lamina's conmon is started
 * without them. A port something already listens on is refused.
 */
public final class HostPorts {
  private HostPorts() {}

  /** Held host ports; closing lets them go. */
  public static final class Reservation implements Closeable {
    private final List<PortMapping> mappings;
    private final List<NetworkChannel> sockets;

    private Reservation(List<PortMapping> mappings, List<NetworkChannel> sockets) {
      this.mappings = List.copyOf(mappings);
      this.sockets = sockets;
    }

    /** The mappings, every host port filled in. */
    public List<PortMapping> mappings() {
      return mappings;
    }

    @Override
    public void close() {
      for (NetworkChannel s : sockets) {
        try {
          s.close();
        } catch (IOException e) {
          // A socket that fails to close is closed all the same.
        }
      }
      sockets.clear();
    }
  }

  /**
   * The mappings with every missing host port filled in, each host port bound and held.
   *
   * @throws NetworkException naming the port and address already in use; nothing is held then
   */
  public static Reservation reserve(List<PortMapping> mappings) throws IOException {
    List<PortMapping> out = new ArrayList<>();
    List<NetworkChannel> held = new ArrayList<>();
    Reservation r = new Reservation(out, held);
    try {
      for (PortMapping m : mappings) {
        if (m.hostPort() == 0) {
          NetworkChannel s = bind(m, 0);
          held.add(s);
          out.add(m.withHostPort(((InetSocketAddress) s.getLocalAddress()).getPort()));
        } else {
          for (int i = 0; i < m.range(); i++) {
            held.add(bind(m, m.hostPort() + i));
          }
          out.add(m);
        }
      }
      PortSpecs.checkNoClash(out);
    } catch (IOException | RuntimeException e) {
      r.close();
      throw e;
    }
    return new Reservation(out, held);
  }

  /**
   * The mappings with every missing host port filled in, each checked free and let go again: for
   * pasta, which binds them itself.
   *
   * @throws NetworkException naming the port and address already in use
   */
  public static List<PortMapping> resolve(List<PortMapping> mappings) throws IOException {
    try (Reservation r = reserve(mappings)) {
      return r.mappings();
    }
  }

  /** A socket bound to the port (the kernel's pick for 0), without SO_REUSEADDR: it holds it. */
  private static NetworkChannel bind(PortMapping m, int port) throws IOException {
    InetAddress ip = InetAddress.getByName(m.shownHostIp());
    InetSocketAddress at = new InetSocketAddress(ip, port);
    NetworkChannel s =
        m.protocol().equals("udp")
            ? DatagramChannel.open(StandardProtocolFamily.INET)
            : SocketChannel.open(StandardProtocolFamily.INET);
    try {
      s.bind(at);
      return s;
    } catch (IOException e) {
      s.close();
      throw new NetworkException(
          "cannot publish " + m.shownHostIp() + ":" + port + "/" + m.protocol() + ": " + e.getMessage(), e);
    }
  }
}
