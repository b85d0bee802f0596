package dev.lamina.layerfs.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A tunnel through an HTTP proxy: {@code CONNECT host:port} on a connection to the proxy. */
final class ConnectTunnel {
  private ConnectTunnel() {}

  /**
   * Asks the proxy on {@code socket} for a tunnel to {@code host:port}. The proxy's answer is read
   * a byte at a time from the socket's own stream, so nothing of what follows it (the TLS
   * handshake with the registry) is consumed here.
   *
   * @throws IOException if the proxy does not answer, or refuses
   */
  static void open(Socket socket, Proxy proxy, String host, int port, int timeoutMs)
      throws IOException {
    String authority = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    StringBuilder head = new StringBuilder();
    head.append("CONNECT ").append(authority).append(" HTTP/1.1\r\nHost: ").append(authority)
        .append("\r\nUser-Agent: lamina\r\n");
    if (proxy.authorization() != null) {
      head.append("Proxy-Authorization: ").append(proxy.authorization()).append("\r\n");
    }
    head.append("\r\n");
    socket.setSoTimeout(timeoutMs);
    socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    socket.getOutputStream().flush();
    InputStream in = socket.getInputStream();
    String status;
    try {
      status = Http1Client.readLine(in);
      Http1Client.readHeaders(in);
    } catch (IOException e) {
      throw new IOException("proxy " + proxy + " gave no answer to CONNECT " + authority + ": "
          + e.getMessage(), e);
    }
    if (!status.startsWith("HTTP/1.") || status.length() < 12 || status.charAt(9) != '2') {
      throw new IOException("proxy " + proxy + " refused CONNECT " + authority + ": "
          + (status.length() > 9 ? status.substring(9) : status));
    }
  }
}
