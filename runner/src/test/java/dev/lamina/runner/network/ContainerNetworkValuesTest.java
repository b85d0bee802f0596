package dev.lamina.runner.network;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the container side consumes: resolv.conf, hosts lines, inspect's NetworkSettings. */
class ContainerNetworkValuesTest {
  private static final NetworkAttachment DEFAULT_NET =
      new NetworkAttachment("lamina", "ab", "eth0", "10.88.0.2", 16, "10.88.0.1", "aa:bb:cc:dd:ee:ff", List.of(), List.of(), List.of());
  private static final NetworkAttachment USER_NET =
      new NetworkAttachment("web", "cd", "eth1", "10.89.0.5", 24, "10.89.0.1", "11:22:33:44:55:66",
          List.of("10.89.0.1"), List.of("dns.podman"), List.of("app", "db"));

  @Test
  void resolvConf_defaultNetwork_hostResolversWithoutLoopback() {
    NetworkStatus s = new NetworkStatus(List.of(DEFAULT_NET), List.of());
    String host = "# comment\nnameserver 127.0.0.53\nnameserver 192.0.2.53\nsearch corp.example\noptions edns0\n";
    assertEquals(
        "search corp.example\nnameserver 192.0.2.53\noptions edns0\n",
        ResolvConf.forContainer(s, host, List.of(), List.of(), List.of()).render());
    assertEquals(
        "nameserver 8.8.8.8\nnameserver 8.8.4.4\n",
        ResolvConf.forContainer(s, "nameserver 127.0.0.53\n", List.of(), List.of(), List.of()).render());
    assertEquals(
        "search a.example\nnameserver 192.0.2.1\noptions ndots:2\n",
        ResolvConf.forContainer(s, host, List.of("192.0.2.1"), List.of("a.example"), List.of("ndots:2")).render());
  }

  @Test
  void resolvConf_userNetwork_aardvarkFirst() {
    NetworkStatus s = new NetworkStatus(List.of(USER_NET, DEFAULT_NET), List.of());
    assertEquals(
        "search dns.podman corp.example\nnameserver 10.89.0.1\n",
        ResolvConf.forContainer(s, "nameserver 192.0.2.53\nsearch corp.example\n", List.of(), List.of(), List.of()).render());
  }

  @Test
  void hosts_ownAddressPerNetwork() {
    NetworkStatus s = new NetworkStatus(List.of(DEFAULT_NET, USER_NET), List.of());
    assertEquals(
        List.of("10.88.0.2\tabc123 app", "10.89.0.5\tabc123 app"), HostsEntries.forContainer(s, "abc123", "app"));
  }

  @Test
  void networkSettings_dockerShape() {
    NetworkStatus s =
        new NetworkStatus(List.of(DEFAULT_NET), List.of(new PortMapping("127.0.0.1", 8080, 80, "tcp", 2)));
    Map<String, Object> d = new NetworkSettings(s, List.of("80/tcp", "443/tcp")).toDocker();
    assertEquals("10.88.0.2", d.get("IPAddress"));
    assertEquals(16, d.get("IPPrefixLen"));
    assertEquals("10.88.0.1", d.get("Gateway"));
    assertEquals("aa:bb:cc:dd:ee:ff", d.get("MacAddress"));
    Map<?, ?> ports = (Map<?, ?>) d.get("Ports");
    assertEquals(List.of(Map.of("HostIp", "127.0.0.1", "HostPort", "8080")), ports.get("80/tcp"));
    assertEquals(List.of(Map.of("HostIp", "127.0.0.1", "HostPort", "8081")), ports.get("81/tcp"));
    assertEquals(true, ports.containsKey("443/tcp"));
    assertEquals(null, ports.get("443/tcp"));
    Map<?, ?> net = (Map<?, ?>) ((Map<?, ?>) d.get("Networks")).get("lamina");
    assertEquals("ab", net.get("NetworkID"));
    assertEquals("10.88.0.2", net.get("IPAddress"));
  }
}
