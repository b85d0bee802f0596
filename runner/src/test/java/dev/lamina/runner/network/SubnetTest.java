package dev.lamina.runner.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubnetTest {
  @Test
  void parse_canonicalAndOverlap() {
    Subnet a = Subnet.parse("10.88.0.0/16");
    assertEquals("10.88.0.0/16", a.toString());
    assertEquals("10.88.0.0/16", Subnet.parse("10.88.7.9/16").toString());
    assertTrue(a.overlaps(Subnet.parse("10.88.5.0/24")));
    assertTrue(Subnet.parse("10.88.5.0/24").overlaps(a));
    assertFalse(a.overlaps(Subnet.parse("10.89.0.0/24")));
    assertEquals("10.88.255.255", Ipv4.format(a.broadcast()));
    assertEquals("10.88.0.1", Ipv4.format(a.host(1)));
  }

  @Test
  void parse_bad_oneLine() {
    assertEquals(
        "invalid IPv4 address '10.88.0'",
        assertThrows(IllegalArgumentException.class, () -> Subnet.parse("10.88.0/16")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Subnet.parse("10.88.0.0/33"));
    assertThrows(IllegalArgumentException.class, () -> Subnet.parse("10.88.0.0"));
    assertThrows(IllegalArgumentException.class, () -> Ipv4.parse("256.1.1.1"));
  }

  /** The kernel's table: little-endian hex destination and mask; the default route is ignored. */
  @Test
  void hostRoutes_readProcFormat(@TempDir Path dir) throws IOException {
    Path table = dir.resolve("route");
    Files.writeString(
        table,
        "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
            + "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
            + "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
            + "vpn0\t0000580A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n");
    assertEquals(
        List.of(Subnet.parse("192.0.2.0/24"), Subnet.parse("10.88.0.0/16")), HostRoutes.read(table));
  }

  @Test
  void lamina_andPodmansDefaultRanges_doNotMeet() {
    // podman: 10.88.0.0/16 for its default network, 10.89.N.0/24 for the others.
    List<Subnet> podman = List.of(Subnet.parse("10.88.0.0/16"), Subnet.parse("10.89.0.0/16"));
    for (Subnet s : SubnetChooser.defaultCandidates(NetworkDefaults.PREFERRED)) {
      assertTrue(podman.stream().noneMatch(s::overlaps), s.toString());
      assertFalse(s.overlaps(SubnetChooser.USER_RANGE), s.toString());
    }
    for (Subnet s : SubnetChooser.userCandidates()) {
      assertTrue(podman.stream().noneMatch(s::overlaps), s.toString());
    }
  }

  @Test
  void chooser_skipsClashingCandidates() {
    List<Subnet> taken = List.of(Subnet.parse("10.88.0.0/16"), Subnet.parse("10.90.3.0/24"));
    assertEquals(
        "10.92.0.0/16",
        SubnetChooser.choose(SubnetChooser.defaultCandidates(NetworkDefaults.PREFERRED), taken)
            .orElseThrow()
            .toString());
    assertEquals(
        "10.91.1.0/24",
        SubnetChooser.choose(SubnetChooser.userCandidates(), List.of(Subnet.parse("10.91.0.0/24")))
            .orElseThrow()
            .toString());
  }
}
