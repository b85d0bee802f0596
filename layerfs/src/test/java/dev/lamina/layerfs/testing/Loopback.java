package dev.lamina.layerfs.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Ports and HTTP requests on the host's loopback, the only address tests send traffic to. */
public final class Loopback {
  private Loopback() {}

  /** A TCP port on 127.0.0.1 that was free a moment ago. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * The whole answer to an HTTP/1.0 GET of / on 127.0.0.1:{@code port}, asked again for up to 10
   * seconds while the server is still starting (refused, or an empty answer).
   */
  public static String httpGet(int port) throws IOException, InterruptedException {
    IOException last = null;
    for (int i = 0; i < 100; i++) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        s.setSoTimeout(5000);
        s.getOutputStream()
            .write("GET / HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        String got = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!got.isEmpty()) {
          return got;
        }
      } catch (IOException e) {
        last = e;
      }
      Thread.sleep(100);
    }
    throw last == null ? new IOException("empty answers from 127.0.0.1:" + port) : last;
  }
}
