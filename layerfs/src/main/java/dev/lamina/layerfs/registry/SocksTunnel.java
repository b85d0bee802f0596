package dev.lamina.layerfs.registry;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A tunnel through a SOCKS5 proxy (RFC 1928): the method negotiation, username/password
 * authentication (RFC 1929) when the proxy URL has credentials, and a {@code CONNECT} to the
 * destination. As in Go's client, a name is sent as a name for the proxy to resolve (never looked
 * up here, for {@code socks5://} and {@code socks5h://} alike) and an address literal as an
 * address.
 */
final class SocksTunnel {
  private static final int VERSION = 5;
  private static final int NO_AUTHENTICATION = 0x00;
  private static final int USERNAME_PASSWORD = 0x02;
  private static final int NO_ACCEPTABLE_METHOD = 0xff;
  private static final int USERNAME_PASSWORD_VERSION = 1;
  private static final int CONNECT = 1;
  private static final int IPV4 = 1;
  private static final int DOMAIN_NAME = 3;
  private static final int IPV6 = 4;

  private final Proxy proxy;
  private final DataInputStream in;
  private final OutputStream out;

  private SocksTunnel(Socket socket, Proxy proxy) throws IOException {
    this.proxy = proxy;
    // Unbuffered: exactly the proxy's replies are read, nothing of the tunnel's traffic after.
    this.in = new DataInputStream(socket.getInputStream());
    this.out = socket.getOutputStream();
  }

  /**
   * Asks the SOCKS5 proxy on {@code socket} for a tunnel to {@code host:port}.
   *
   * @throws IOException if the proxy refuses, fails, or does not speak SOCKS5; the message never
   *     holds the proxy's password
   */
  static void open(Socket socket, Proxy proxy, String host, int port, int timeoutMs)
      throws IOException {
    socket.setSoTimeout(timeoutMs);
    SocksTunnel t = new SocksTunnel(socket, proxy);
    try {
      t.negotiateMethod();
      t.connect(host, port);
    } catch (EOFException e) {
      throw new IOException("proxy " + proxy + " closed the connection during the SOCKS5"
          + " handshake", e);
    }
  }

  private void negotiateMethod() throws IOException {
    boolean credentials = proxy.user() != null;
    // With credentials both methods are offered, as Go does: the proxy may not need them.
    out.write(credentials ? new byte[] {VERSION, 2, NO_AUTHENTICATION, USERNAME_PASSWORD}
        : new byte[] {VERSION, 1, NO_AUTHENTICATION});
    out.flush();
    int version = in.readUnsignedByte();
    int method = in.readUnsignedByte();
    if (version != VERSION) {
      throw new IOException("proxy " + proxy + " is not a SOCKS5 proxy (it answered version "
          + version + ")");
    }
    if (method == NO_ACCEPTABLE_METHOD) {
      throw new IOException("proxy " + proxy + " accepts none of the authentication methods"
          + " offered (" + (credentials ? "no authentication, username/password"
          : "no authentication; the proxy URL may need a user and password") + ")");
    }
    if (method == USERNAME_PASSWORD && credentials) {
      authenticate();
    } else if (method != NO_AUTHENTICATION) {
      throw new IOException("proxy " + proxy + " chose SOCKS5 authentication method " + method
          + ", which was not offered");
    }
  }

  /** RFC 1929; the password goes to the proxy only after it chose this method. */
  private void authenticate() throws IOException {
    byte[] user = proxy.user().getBytes(StandardCharsets.UTF_8);
    byte[] password = proxy.password().getBytes(StandardCharsets.UTF_8);
    if (user.length == 0 || user.length > 255 || password.length > 255) {
      throw new IOException("proxy " + proxy + ": a SOCKS5 user name must be 1 to 255 bytes"
          + " long, a password at most 255");
    }
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(USERNAME_PASSWORD_VERSION);
    b.write(user.length);
    b.write(user, 0, user.length);
    b.write(password.length);
    b.write(password, 0, password.length);
    out.write(b.toByteArray());
    out.flush();
    in.readUnsignedByte(); // the subnegotiation's version
    int status = in.readUnsignedByte();
    if (status != 0) {
      throw new IOException("proxy " + proxy + " refused the user name and password in its URL"
          + " (SOCKS5 authentication status " + status + ")");
    }
  }

  private void connect(String host, int port) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(VERSION);
    b.write(CONNECT);
    b.write(0);
    byte[] ip = ProxySelection.ipLiteral(host);
    if (ip != null) {
      b.write(ip.length == 4 ? IPV4 : IPV6);
      b.write(ip, 0, ip.length);
    } else {
      byte[] name = host.getBytes(StandardCharsets.US_ASCII);
      if (name.length > 255) {
        throw new IOException("host name too long for a SOCKS5 proxy: " + host);
      }
      b.write(DOMAIN_NAME);
      b.write(name.length);
      b.write(name, 0, name.length);
    }
    b.write(port >> 8);
    b.write(port);
    out.write(b.toByteArray());
    out.flush();
    int version = in.readUnsignedByte();
    int reply = in.readUnsignedByte();
    in.readUnsignedByte(); // reserved
    int addressType = in.readUnsignedByte();
    if (version != VERSION) {
      throw new IOException("proxy " + proxy + " is not a SOCKS5 proxy (it answered version "
          + version + ")");
    }
    String destination = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    if (reply != 0) {
      throw new IOException("proxy " + proxy + " could not connect to " + destination + ": "
          + replyMessage(reply) + " (SOCKS5 reply " + reply + ")");
    }
    // The address the proxy connected from: of no use here, but it precedes the tunnel's data.
    int length = switch (addressType) {
      case IPV4 -> 4;
      case IPV6 -> 16;
      case DOMAIN_NAME -> in.readUnsignedByte();
      default -> throw new IOException("proxy " + proxy + " answered with unknown SOCKS5"
          + " address type " + addressType);
    };
    in.readFully(new byte[length + 2]);
  }

  /** RFC 1928's meaning of a reply code. */
  static String replyMessage(int reply) {
    return switch (reply) {
      case 1 -> "general SOCKS server failure";
      case 2 -> "connection not allowed by ruleset";
      case 3 -> "network unreachable";
      case 4 -> "host unreachable";
      case 5 -> "connection refused";
      case 6 -> "TTL expired";
      case 7 -> "command not supported";
      case 8 -> "address type not supported";
      default -> "unknown reply";
    };
  }
}
