package dev.lamina.runner.network;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A UDP echo server for the networking tests, started inside a test namespace (busybox's nc has no
 * UDP): answers {@code echo:<datagram>} to each datagram, prints {@code ready} once bound, and
 * stops after 60 seconds without traffic.
 */
public final class UdpEcho {
  private UdpEcho() {}

  public static void main(String[] args) throws Exception {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(Integer.parseInt(args[0])))) {
      s.setSoTimeout(60_000);
      System.out.println("ready");
      System.out.flush();
      byte[] buf = new byte[1500];
      while (true) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        s.receive(p);
        byte[] reply =
            ("echo:" + new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
      }
    }
  }
}
