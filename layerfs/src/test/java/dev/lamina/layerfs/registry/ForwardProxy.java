package dev.lamina.layerfs.registry;

import dev.lamina.layerfs.testing.Requirements;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * A forward HTTP proxy on 127.0.0.1 (or an https one, spoken to over TLS) requiring Basic {@code
 * Proxy-Authorization}: {@code CONNECT} tunnels, and requests in absolute form passed on (one per
 * connection) without the proxy's own headers. It records every request it forwarded and every one it refused.
 */
final class ForwardProxy implements AutoCloseable {
  private static final String KEYSTORE_PASSWORD = "changeit";

  /** A request the proxy forwarded: its method, target and registry Authorization (or null). */
  record Forwarded(String method, String target, String authorization) {}

  private final ServerSocket server;
  private final String user;
  private final String expected;
  final List<Forwarded> forwarded = new CopyOnWriteArrayList<>();
  final List<String> refused = new CopyOnWriteArrayList<>();

  ForwardProxy(String user, String password) throws IOException {
    this(user, password, new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
  }

  private ForwardProxy(String user, String password, ServerSocket server) {
    this.user = user;
    this.expected = "Basic " + Base64.getEncoder().encodeToString(
        (user + ":" + password).getBytes(StandardCharsets.UTF_8));
    this.server = server;
    Thread t = new Thread(this::accept, "forward-proxy");
    t.setDaemon(true);
    t.start();
  }

  /**
   * The same proxy spoken to over TLS (an https proxy), with a self-signed certificate for
   * 127.0.0.1 made in {@code dir}.
   */
  static ForwardProxy overTls(String user, String password, Path dir) throws Exception {
    Path openssl = Requirements.tool("openssl");
    run(dir, openssl.toString(), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
        "key.pem", "-out", "cert.pem");
    run(dir, openssl.toString(), "pkcs12", "-export", "-in", "cert.pem", "-inkey", "key.pem",
        "-out", "proxy.p12", "-passout", "pass:" + KEYSTORE_PASSWORD);
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(dir.resolve("proxy.p12"))) {
      keys.load(in, KEYSTORE_PASSWORD.toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, KEYSTORE_PASSWORD.toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    return new ForwardProxy(user, password, tls.getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getLoopbackAddress()));
  }

  private static void run(Path dir, String... cmd) throws Exception {
    Files.createDirectories(dir);
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("openssl.log").toFile()).start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("openssl failed: " + Files.readString(
          dir.resolve("openssl.log")));
    }
  }

  /** The proxy's URL (http, or https over TLS) with the given password. */
  String url(String password) {
    return (server instanceof SSLServerSocket ? "https" : "http") + "://" + user + ":" + password + "@127.0.0.1:" + server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread t = new Thread(() -> serve(s), "forward-proxy-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket client) {
    try (client) {
      InputStream in = client.getInputStream();
      OutputStream out = client.getOutputStream();
      String requestLine = line(in);
      List<String> headers = new ArrayList<>();
      for (String h = line(in); !h.isEmpty(); h = line(in)) {
        headers.add(h);
      }
      String[] parts = requestLine.split(" ");
      if (!expected.equals(header(headers, "proxy-authorization"))) {
        refused.add(requestLine);
        out.write(("HTTP/1.1 407 Proxy Authentication Required\r\n"
            + "Proxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n"
            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        return;
      }
      if (parts[0].equals("CONNECT")) {
        URI authority = URI.create("tcp://" + parts[1]);
        try (Socket upstream = new Socket(authority.getHost(), authority.getPort())) {
          forwarded.add(new Forwarded("CONNECT", parts[1], null));
          out.write("HTTP/1.1 200 Connection established\r\n\r\n"
              .getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          relay(client, upstream);
        }
        return;
      }
      URI target = URI.create(parts[1]);
      try (Socket upstream = new Socket(target.getHost(), target.getPort())) {
        forwarded.add(new Forwarded(parts[0], parts[1], header(headers, "authorization")));
        StringBuilder head = new StringBuilder();
        head.append(parts[0]).append(' ').append(target.getRawPath())
            .append(target.getRawQuery() == null ? "" : "?" + target.getRawQuery())
            .append(" HTTP/1.1\r\n");
        for (String h : headers) {
          String name = h.substring(0, h.indexOf(':')).trim().toLowerCase(Locale.ROOT);
          if (!List.of("proxy-authorization", "proxy-connection", "connection", "keep-alive")
              .contains(name)) {
            head.append(h).append("\r\n");
          }
        }
        // One request per connection: the upstream's closing ends the response.
        head.append("Connection: close\r\n\r\n");
        upstream.getOutputStream().write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        relay(client, upstream);
      }
    } catch (IOException e) {
      // the client or the upstream went away
    }
  }

  /** Copies both ways until either side ends, then closes both. */
  static void relay(Socket a, Socket b) throws IOException {
    Thread up = new Thread(() -> copy(a, b), "forward-proxy-relay");
    up.setDaemon(true);
    up.start();
    copy(b, a);
    a.close();
    b.close();
  }

  private static void copy(Socket from, Socket to) {
    try {
      from.getInputStream().transferTo(to.getOutputStream());
    } catch (IOException e) {
      // one side closed
    } finally {
      try {
        from.close();
        to.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
  }

  private static String header(List<String> headers, String name) {
    for (String h : headers) {
      int colon = h.indexOf(':');
      if (colon > 0 && h.substring(0, colon).trim().equalsIgnoreCase(name)) {
        return h.substring(colon + 1).trim();
      }
    }
    return null;
  }

  /** One line of the request head, read a byte at a time so no body byte is taken. */
  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("connection closed");
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
