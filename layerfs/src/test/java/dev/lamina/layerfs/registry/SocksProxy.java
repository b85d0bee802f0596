package dev.lamina.layerfs.registry;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A SOCKS5 proxy on 127.0.0.1 (RFC 1928), with username/password authentication (RFC 1929) if
 * given a user, that resolves the names it is sent from its own table first (as a proxy with its
 * own DNS would). It records each destination it was asked for ({@code "ipv4 ADDRESS:PORT"} or
 * {@code "name NAME:PORT"}) and each authentication it refused.
 */
final class SocksProxy implements AutoCloseable {
  private final ServerSocket server;
  private final String user;
  private final String password;
  private final Map<String, String> names;
  final List<String> connects = new CopyOnWriteArrayList<>();
  final List<String> refused = new CopyOnWriteArrayList<>();

  /** A proxy requiring {@code user} and {@code password}, or no authentication (null user). */
  SocksProxy(String user, String password, Map<String, String> names) throws IOException {
    this.user = user;
    this.password = password;
    this.names = names;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread t = new Thread(this::accept, "socks-proxy");
    t.setDaemon(true);
    t.start();
  }

  /** The proxy's URL with {@code scheme}, and {@code password} if not null. */
  String url(String scheme, String password) {
    return scheme + "://" + (password == null ? "" : user + ":" + password + "@") + "127.0.0.1:"
        + server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> serve(s), "socks-proxy-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      DataInputStream in = new DataInputStream(client.getInputStream());
      OutputStream out = client.getOutputStream();
      if (in.readUnsignedByte() != 5) {
        return;
      }
      byte[] methods = new byte[in.readUnsignedByte()];
      in.readFully(methods);
      int wanted = user == null ? 0 : 2;
      if (!contains(methods, wanted)) {
        refused.add("no acceptable method");
        out.write(new byte[] {5, (byte) 0xff});
        return;
      }
      out.write(new byte[] {5, (byte) wanted});
      if (user != null) {
        in.readUnsignedByte();
        String u = new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.UTF_8);
        String p = new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.UTF_8);
        if (!u.equals(user) || !p.equals(password)) {
          refused.add("user " + u);
          out.write(new byte[] {1, 1});
          return;
        }
        out.write(new byte[] {1, 0});
      }
      in.readUnsignedByte(); // version
      int command = in.readUnsignedByte();
      in.readUnsignedByte(); // reserved
      int type = in.readUnsignedByte();
      String host;
      String kind;
      if (type == 1 || type == 4) {
        host = InetAddress.getByAddress(in.readNBytes(type == 1 ? 4 : 16)).getHostAddress();
        kind = type == 1 ? "ipv4" : "ipv6";
      } else {
        host = new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.US_ASCII);
        kind = "name";
      }
      int port = in.readUnsignedShort();
      if (command != 1) {
        out.write(new byte[] {5, 7, 0, 1, 0, 0, 0, 0, 0, 0});
        return;
      }
      connects.add(kind + " " + host + ":" + port);
      Socket upstream;
      try {
        upstream = new Socket(names.getOrDefault(host, host), port);
      } catch (IOException e) {
        out.write(new byte[] {5, 5, 0, 1, 0, 0, 0, 0, 0, 0}); // connection refused
        return;
      }
      try (upstream) {
        byte[] bound = upstream.getLocalAddress().getAddress();
        out.write(new byte[] {5, 0, 0, 1});
        out.write(bound);
        out.write(new byte[] {(byte) (upstream.getLocalPort() >> 8),
            (byte) upstream.getLocalPort()});
        out.flush();
        ForwardProxy.relay(client, upstream);
      }
    } catch (IOException e) {
      // the client or the upstream went away
    }
  }

  private static boolean contains(byte[] methods, int method) {
    for (byte m : methods) {
      if (m == method) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
