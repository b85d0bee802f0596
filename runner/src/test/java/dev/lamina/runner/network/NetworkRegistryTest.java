package dev.lamina.runner.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Network records, the default network's subnet choice, and refusals, without netavark. */
class NetworkRegistryTest {
  @TempDir Path root;
  Path routes;
  final Set<String> inUse = new HashSet<>();
  NetworkRegistry registry;

  @BeforeEach
  void setUp() throws IOException {
    routes = root.resolve("route");
    Files.writeString(routes, "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n");
    registry = NetworkRegistry.at(defaults(), () -> inUse);
  }

  /** The standard defaults, every directory under the test's own, host routes from a copy. */
  private NetworkDefaults defaults() {
    return NetworkDefaults.standard().withRoutes(routes)
        .withDirectories(new NetworkDirectories(root.resolve("config"), root.resolve("run")));
  }

  private void hostRoutes(String... destHexMaskHex) throws IOException {
    hostRoutesVia("eth9", destHexMaskHex);
  }

  private void hostRoutesVia(String iface, String... destHexMaskHex) throws IOException {
    StringBuilder sb = new StringBuilder("Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n");
    for (int i = 0; i < destHexMaskHex.length; i += 2) {
      sb.append(iface).append("\t").append(destHexMaskHex[i]).append("\t00000000\t0001\t0\t0\t0\t")
          .append(destHexMaskHex[i + 1]).append('\n');
    }
    Files.writeString(routes, sb.toString());
  }

  @Test
  void defaultNetwork_isImplicit_inPodmanFormat_andWritesNothing() throws IOException {
    NetworkDefinition d = registry.defaultNetwork();
    assertEquals(List.of(d.name()), registry.list().stream().map(NetworkDefinition::name).toList());
    assertEquals("lamina", d.name());
    assertEquals("lamina0", d.bridge());
    assertEquals("10.90.0.0/16", d.subnet().toString());
    assertEquals("10.90.0.1", d.gatewayText());
    assertEquals(d.id(), registry.defaultNetwork().id());
    JsonObject json = JsonObject.parse(d.toJson());
    assertEquals("bridge", json.string("driver"));
    assertEquals("lamina0", json.string("network_interface"));
    assertEquals("10.90.0.0/16", json.objects("subnets").get(0).string("subnet"));
    assertEquals("host-local", json.object("ipam_options").string("driver"));
    assertEquals(64, json.string("id").length());
    assertFalse(Files.exists(root.resolve("config")), "the default network is not written");
  }

  @Test
  void defaultNetwork_hostRoutesPreferred_picksAnother_andWritesIt() throws IOException {
    hostRoutes("0000580A", "0000FFFF", "00005A0A", "0000FFFF", "00005C0A", "0000FFFF"); // 10.88, 10.90, 10.92
    assertEquals("10.93.0.0/16", registry.defaultNetwork().subnet().toString());
    assertTrue(Files.isRegularFile(root.resolve("config/lamina.json")));
    hostRoutes();
    assertEquals("10.93.0.0/16", registry.defaultNetwork().subnet().toString(),
        "once picked, every later command agrees on it");
  }

  @Test
  void defaultNetwork_itsOwnBridgesRoute_doesNotCount() throws IOException {
    hostRoutesVia("lamina0", "00005A0A", "0000FFFF");
    assertEquals("10.90.0.0/16", registry.defaultNetwork().subnet().toString());
    assertFalse(Files.exists(root.resolve("config")));
  }

  @Test
  void defaultNetwork_configuredSubnet() throws IOException {
    hostRoutes("00001EAC", "0000FFFF"); // 172.30.0.0/16: the user's choice wins all the same
    NetworkRegistry r =
        NetworkRegistry.at(defaults().withSubnet(Subnet.parse("172.30.0.0/16")), () -> inUse);
    assertEquals("172.30.0.0/16", r.defaultNetwork().subnet().toString());
  }

  @Test
  void create_picksFreeSubnetsAndBridges() throws IOException {
    NetworkDefinition a = registry.create(NetworkCreateRequest.named("a"));
    NetworkDefinition b = registry.create(NetworkCreateRequest.named("b"));
    assertEquals("10.91.0.0/24", a.subnet().toString());
    assertEquals("10.91.1.0/24", b.subnet().toString());
    assertEquals("lamina1", a.bridge());
    assertEquals("lamina2", b.bridge());
    assertTrue(a.dnsEnabled());
    assertEquals(List.of("a", "b", "lamina"), registry.list().stream().map(NetworkDefinition::name).toList());
  }

  @Test
  void create_withOptions() throws IOException {
    NetworkDefinition n =
        registry.create(new NetworkCreateRequest("web", "10.77.0.0/24", "10.77.0.254", true, Map.of("k", "v")));
    assertEquals("10.77.0.254", n.gatewayText());
    assertTrue(n.internal());
    assertEquals(n, registry.inspect("web"));
    assertEquals(Map.of("k", "v"), registry.inspect("web").labels());
  }

  @Test
  void create_refusals_oneLine() throws IOException {
    registry.create(new NetworkCreateRequest("a", "10.77.0.0/24", null, false, Map.of()));
    assertEquals("network name a already used", refused(() -> registry.create(NetworkCreateRequest.named("a"))));
    assertEquals(
        "subnet 10.77.0.0/16 overlaps network a (10.77.0.0/24)",
        refused(() -> registry.create(new NetworkCreateRequest("b", "10.77.0.0/16", null, false, Map.of()))));
    hostRoutes("000200C0", "00FFFFFF");
    assertEquals(
        "subnet 192.0.2.0/25 overlaps host route 192.0.2.0/24",
        refused(() -> registry.create(new NetworkCreateRequest("c", "192.0.2.0/25", null, false, Map.of()))));
    assertEquals(
        "gateway 10.78.1.1 is not a host address in subnet 10.78.0.0/24",
        refused(() -> registry.create(new NetworkCreateRequest("d", "10.78.0.0/24", "10.78.1.1", false, Map.of()))));
    assertEquals(
        "invalid subnet 10.78.0.1/24: host bits set (did you mean 10.78.0.0/24?)",
        refused(() -> registry.create(new NetworkCreateRequest("d", "10.78.0.1/24", null, false, Map.of()))));
    assertEquals(
        "invalid network name '../x': only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
        refused(() -> registry.create(NetworkCreateRequest.named("../x"))));
    assertEquals("network name lamina is reserved", refused(() -> registry.create(NetworkCreateRequest.named("lamina"))));
    // Loopback is the host's though /proc/net/route does not list it; multicast is no network.
    assertEquals(
        "subnet 127.0.0.0/8 overlaps the loopback range 127.0.0.0/8",
        refused(() -> registry.create(new NetworkCreateRequest("f", "127.0.0.0/8", null, false, Map.of()))));
    assertEquals(
        "subnet 127.1.0.0/16 overlaps the loopback range 127.0.0.0/8",
        refused(() -> registry.create(new NetworkCreateRequest("f", "127.1.0.0/16", null, false, Map.of()))));
    assertEquals(
        "subnet 224.1.0.0/24 overlaps the multicast range 224.0.0.0/4",
        refused(() -> registry.create(new NetworkCreateRequest("f", "224.1.0.0/24", null, false, Map.of()))));
    assertEquals(
        "subnet 10.90.1.0/24 overlaps network lamina (10.90.0.0/16)",
        refused(() -> registry.create(new NetworkCreateRequest("e", "10.90.1.0/24", null, false, Map.of()))));
    assertEquals(List.of("a", "lamina"), registry.list().stream().map(NetworkDefinition::name).toList());
  }

  @Test
  void remove_inUse_refused_thenAllowed() throws IOException {
    registry.create(NetworkCreateRequest.named("a"));
    inUse.add("a");
    assertEquals(
        "network a is in use by a container; remove the container first", refused(() -> registry.remove("a")));
    assertTrue(registry.find("a").isPresent());
    inUse.clear();
    registry.remove("a");
    assertFalse(registry.find("a").isPresent());
    assertEquals("network not found: a", refused(() -> registry.remove("a")));
    assertEquals("default network lamina cannot be removed", refused(() -> registry.remove("lamina")));
  }

  @Test
  void remove_withLeasedAddress_refused() throws IOException {
    NetworkDefinition a = registry.create(NetworkCreateRequest.named("a"));
    new AddressAllocator(registry).allocate(a, "c1", null);
    assertEquals(
        "network a is in use by a container; remove the container first", refused(() -> registry.remove("a")));
    new AddressAllocator(registry).release("a", "c1");
    registry.remove("a");
  }

  @Test
  void prune_sparesUsedAndDefault() throws IOException {
    registry.defaultNetwork();
    registry.create(NetworkCreateRequest.named("a"));
    registry.create(NetworkCreateRequest.named("b"));
    inUse.add("b");
    assertEquals(List.of("a"), registry.prune());
    assertEquals(List.of("b", "lamina"), registry.list().stream().map(NetworkDefinition::name).toList());
  }

  @Test
  void allocator_lowestFree_static_and_release() throws IOException {
    NetworkDefinition a = registry.create(new NetworkCreateRequest("a", "10.77.0.0/29", null, false, Map.of()));
    AddressAllocator ipam = new AddressAllocator(registry);
    assertEquals("10.77.0.2", Ipv4.format(ipam.allocate(a, "c1", null)));
    assertEquals("10.77.0.2", Ipv4.format(ipam.allocate(a, "c1", null)));
    assertEquals("10.77.0.5", Ipv4.format(ipam.allocate(a, "c2", Ipv4.parse("10.77.0.5"))));
    assertEquals("10.77.0.3", Ipv4.format(ipam.allocate(a, "c3", null)));
    assertEquals(
        "address 10.77.0.5 is already in use on network a",
        refused(() -> ipam.allocate(a, "c4", Ipv4.parse("10.77.0.5"))));
    assertEquals(
        "address 10.77.0.1 is not a free host address in subnet 10.77.0.0/29 of network a",
        refused(() -> ipam.allocate(a, "c4", Ipv4.parse("10.77.0.1"))));
    assertEquals("10.77.0.4", Ipv4.format(ipam.allocate(a, "c4", null)));
    assertEquals("10.77.0.6", Ipv4.format(ipam.allocate(a, "c5", null)));
    assertEquals("no free address left in subnet 10.77.0.0/29 of network a", refused(() -> ipam.allocate(a, "c6", null)));
    ipam.release("a", "c3");
    assertEquals("10.77.0.3", Ipv4.format(ipam.allocate(a, "c6", null)));
  }

  interface Action {
    void run() throws IOException;
  }

  private static String refused(Action a) {
    return assertThrows(NetworkException.class, a::run).getMessage();
  }
}
