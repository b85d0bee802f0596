package dev.lamina.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A TCP relay on 127.0.0.1 to another address whose answers come back at a fixed rate: a
 * download through it lasts long enough to be interrupted on purpose.
 */
final class ThrottledRelay implements AutoCloseable {
  private static final int CHUNK = 64 * 1024;

  private final ServerSocket server;
  private final String upstreamHost;
  private final int upstreamPort;
  private final long bytesPerSecond;

  private ThrottledRelay(String upstream, long bytesPerSecond) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    int colon = upstream.lastIndexOf(':');
    this.upstreamHost = upstream.substring(0, colon);
    this.upstreamPort = Integer.parseInt(upstream.substring(colon + 1));
    this.bytesPerSecond = bytesPerSecond;
  }

  /** Relays to {@code upstream} ({@code host:port}), answers at {@code bytesPerSecond}. */
  static ThrottledRelay start(String upstream, long bytesPerSecond) throws IOException {
    ThrottledRelay r = new ThrottledRelay(upstream, bytesPerSecond);
    daemon(r::acceptLoop);
    return r;
  }

  String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  private static void daemon(Runnable r) {
    Thread t = new Thread(r, "relay");
    t.setDaemon(true);
    t.start();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(upstreamHost, upstreamPort);
        daemon(() -> pump(client, upstream, 0));
        daemon(() -> pump(upstream, client, bytesPerSecond));
      } catch (IOException closed) {
        return;
      }
    }
  }

  private static void pump(Socket from, Socket to, long rate) {
    byte[] buf = new byte[CHUNK];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      for (int n; (n = in.read(buf)) > 0; ) {
        out.write(buf, 0, n);
        out.flush();
        if (rate > 0) {
          Thread.sleep(n * 1000L / rate);
        }
      }
    } catch (IOException | InterruptedException done) {
      // One side closed.
    } finally {
      try {
        from.close();
        to.close();
      } catch (IOException ignored) {
        // Closed either way.
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
