package dev.lamina.runner.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Published ports as pasta's forwarding options. */
class PastaTest {
  @Test
  void arguments_tcpAndUdpSpecs_noneWithout_noForwardingToTheHost() {
    assertEquals(List.of("-t", "none", "-u", "none", "-T", "none", "-U", "none"),
        Pasta.arguments(List.of()));
    assertEquals(List.of("-t", "127.0.0.1/8080:80,9000-9001:90-91", "-u", "5353:53",
            "-T", "none", "-U", "none"),
        Pasta.arguments(List.of(new PortMapping("127.0.0.1", 8080, 80, "tcp", 1),
            new PortMapping("", 9000, 90, "tcp", 2), new PortMapping("", 5353, 53, "udp", 1))));
  }
}
