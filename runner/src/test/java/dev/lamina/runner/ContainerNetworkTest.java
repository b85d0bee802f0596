package dev.lamina.runner;

import static dev.lamina.layerfs.testing.Loopback.freePort;
import static dev.lamina.layerfs.testing.Loopback.httpGet;
import static dev.lamina.runner.testing.HostNetwork.links;
import static dev.lamina.runner.testing.HostNetwork.rules;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.store.Trees;
import dev.lamina.layerfs.testing.Requirements;
import dev.lamina.runner.network.Netavark;
import dev.lamina.runner.network.NetavarkNotFoundException;
import dev.lamina.runner.network.NetworkAttachment;
import dev.lamina.runner.network.NetworkCreateRequest;
import dev.lamina.runner.network.NetworkDefaults;
import dev.lamina.runner.network.NetworkDefinition;
import dev.lamina.runner.network.NetworkException;
import dev.lamina.runner.network.NetworkNamespace;
import dev.lamina.runner.network.NetworkRequest;
import dev.lamina.runner.network.NetworkStatus;
import dev.lamina.runner.network.PortMapping;
import dev.lamina.runner.network.PortSpecs;
import dev.lamina.runner.network.Subnet;
import dev.lamina.runner.runtime.OciRuntimes;
import dev.lamina.runner.testing.HostNetwork;
import dev.lamina.runner.testing.TestNetworks;
import dev.lamina.runner.network.Ipv4;
import dev.lamina.runner.runtime.Stdio;
import dev.lamina.runner.spec.ContainerOptions;
import dev.lamina.runner.testing.BusyboxRootfs;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Containers on networks of their own, with runc, netavark and aardvark-dns: real traffic to
 * loopback and to the test networks' own addresses only. Every test ends by checking that the
 * host's links, firewall rules, pinned namespaces and address leases are as they were.
 */
class ContainerNetworkTest {

  /** busybox's HTTP GET by nc (its wget cannot resolve names when static). */
  private static final String GET = "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2";

  @TempDir static Path shared;
  private static Path base;

  @TempDir Path tmp;
  private Path root;
  private Containers containers;
  private String tag;
  private Set<String> linksBefore;
  private List<String> rulesBefore;

  record Result(int code, String out) {}

  @BeforeAll
  static void buildRootfs() throws IOException {
    Requirements.root();
    Requirements.tool("runc");
    Requirements.tool("conmon");
    Requirements.require(
        findNetavark(), "netavark and aardvark-dns in /usr/lib/podman (apt-get install netavark aardvark-dns)");
    Requirements.tool("unshare");
    Requirements.tool("iptables-save");
    Requirements.tool("ip");
    base = BusyboxRootfs.create(shared.resolve("layers/base"));
    Files.createDirectories(base.resolve("www"));
    Files.writeString(base.resolve("www/index.html"), "hello from the container\n");
    // Where the host's /usr is bound read-only, its programs run in the container (a UDP server).
    Files.createDirectories(base.resolve("usr"));
    Files.createSymbolicLink(base.resolve("lib"), Path.of("usr/lib"));
    Files.createSymbolicLink(base.resolve("lib64"), Path.of("usr/lib64"));
  }

  private static boolean findNetavark() {
    try {
      Netavark.locate().requireAardvark();
      return true;
    } catch (NetavarkNotFoundException e) {
      return false;
    }
  }

  NetworkDefaults defaults;
  Containers other;

  @BeforeEach
  void setUp() throws Exception {
    root = tmp.resolve("lamina");
    tag = "lc" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    int third = ThreadLocalRandom.current().nextInt(0, 256);
    defaults =
        TestNetworks.own(tag, "10.232." + third + ".0/24", tmp.resolve("networks"));
    containers =
        Containers.open(root, TestNetworks.exitCommand(defaults), OciRuntimes.source(root), defaults);
    linksBefore = links();
    rulesBefore = rules();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (other != null) {
      for (ContainerRecord r : other.list(true)) {
        other.remove(r.id(), true, true);
      }
    }
    for (ContainerRecord r : containers.list(true)) {
      containers.remove(r.id(), true, true);
    }
    List<Path> left = MountTable.mountPointsUnder(tmp);
    OverlayMount.unmountAllUnder(tmp);
    for (NetworkDefinition n : containers.networks().registry().list()) {
      if (!n.name().equals(tag)) {
        containers.networks().registry().remove(n.name());
      }
    }
    Trees.deleteRecursively(containers.networks().runtimeDirectory());
    assertEquals(List.of(), left);
  }

  private static ContainerImage busybox() {
    return ContainerFixtures.busybox(base);
  }

  private ContainerRequest sh(ContainerNetwork network, String script) {
    return ContainerRequest.of(busybox(), ContainerOptions.builder().args("sh", "-c", script).build())
        .withNetwork(network);
  }

  private static ContainerNetwork bridge(String name, List<String> ports) throws IOException {
    ContainerNetwork n = ContainerNetwork.parse(name, null);
    return n.withRequest(n.request().withPorts(PortSpecs.parseAll(ports)));
  }

  private Result run(ContainerRequest request) throws Exception {
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Stdio stdio =
        new Stdio(
            Redirect.from(Path.of("/dev/null").toFile()),
            Redirect.appendTo(out.toFile()),
            Redirect.appendTo(out.toFile()));
    int code = containers.run(request, stdio, false);
    return new Result(code, Files.readString(out).strip());
  }

  /** A detached web server ({@code busybox httpd}) on {@code network}. */
  private ContainerRecord server(String name, ContainerNetwork network) throws IOException {
    ContainerRecord c =
        containers.create(sh(network, "exec httpd -f -p 80 -h /www").withName(name));
    return containers.start(c.id());
  }

  private static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return out;
  }

  /** No veth or bridge, firewall rule, pinned namespace, attachment or lease is left. */
  private void assertNothingLeft() throws Exception {
    assertEquals(linksBefore, links());
    assertEquals(rulesBefore, rules());
    assertEquals(Set.of(), containers.networks().attached());
    Path ports = containers.networks().registry().directories().publishedPorts();
    try (var claims = Files.exists(ports) ? Files.list(ports) : java.util.stream.Stream.<Path>empty()) {
      assertEquals(List.of(), claims.filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(p -> {
            try {
              return Files.readString(p).startsWith(containers.networks().runtimeDirectory().toString());
            } catch (IOException e) {
              return false;
            }
          }).toList(), "published ports left claimed");
    }
    Path pinned = containers.networks().runtimeDirectory().resolve("netns");
    assertTrue(!Files.exists(pinned) || Files.list(pinned).findAny().isEmpty(), "pinned namespaces left");
    for (NetworkDefinition n : containers.networks().registry().list()) {
      assertEquals(Map.of(), containers.networks().addresses().leases(n.name()), n.name());
    }
  }

  @Test
  void publishedPort_reachedFromHostLoopback_thenRmForceLeavesNothing() throws Exception {
    int port = freePort();
    ContainerRecord c = server("web", bridge("bridge", List.of("127.0.0.1:" + port + ":80")));
    assertTrue(httpGet(port).contains("hello from the container"));
    ContainerRecord r = containers.inspect(c.id());
    NetworkStatus status = r.networkStatus();
    assertNotNull(status);
    assertEquals("127.0.0.1:" + port + "->80/tcp", status.ports().get(0).render());
    String address = status.primary().orElseThrow().address();
    assertTrue(address.startsWith("10.232."), address);
    assertTrue(containers.networks().attached().contains(c.id()));
    containers.remove(c.id(), true, true);
    assertNothingLeft();
  }

  @Test
  void twoStores_runningAtOnce_leaveNoRuleBehind() throws Exception {
    Path root2 = tmp.resolve("lamina2");
    other = Containers.open(root2, TestNetworks.exitCommand(defaults), OciRuntimes.source(root2), defaults);
    List<Containers> both = List.of(containers, other);
    List<java.util.concurrent.Future<Integer>> runs = new java.util.ArrayList<>();
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      for (int i = 0; i < 4; i++) {
        Containers c = both.get(i % 2);
        runs.add(pool.submit(() -> c.run(sh(bridge("bridge", List.of("127.0.0.1::80")), "true")
            .withAutoRemove(true), Stdio.inherit(), false)));
      }
      for (var r : runs) {
        assertEquals(0, r.get(120, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertNothingLeft();
  }

  @Test
  void randomHostPorts_serveTheContainer_andAreFreeAgainAfterRemove() throws Exception {
    ContainerRecord c = server("held", bridge("bridge", List.of("127.0.0.1::80", "127.0.0.1::53/udp")));
    List<PortMapping> ports = containers.inspect(c.id()).networkStatus().ports();
    int tcp = ports.get(0).hostPort();
    int udp = ports.get(1).hostPort();
    assertTrue(tcp > 0 && udp > 0, ports.toString());
    assertTrue(httpGet(tcp).contains("hello from the container"));
    containers.remove(c.id(), true, true);
    try (ServerSocket s = new ServerSocket();
        java.net.DatagramSocket d = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", udp))) {
      s.bind(new InetSocketAddress("127.0.0.1", tcp));
    }
    assertNothingLeft();
  }

  /** A UDP echo server: busybox has none, so the host's python3 (its /usr bound read-only). */
  private static final String UDP_ECHO =
      "import socket\n"
          + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
          + "s.bind(('0.0.0.0', 5353))\n"
          + "while True:\n"
          + "    d, a = s.recvfrom(512)\n"
          + "    s.sendto(b'echo ' + d, a)\n";

  /**
   * A port one container publishes is refused to a second, in one line naming the first, whatever
   * the second's address (0.0.0.0 clashes with 127.0.0.1, as docker's): netavark's rule would
   * have taken its traffic to the first. Once the first is removed, the port is free again.
   */
  @Test
  void publishedPort_refusedToASecondContainer_freeAgainAfterTheFirstIsRemoved() throws Exception {
    int port = freePort();
    ContainerRecord first =
        server("first" + tag, bridge("bridge", List.of("127.0.0.1:" + port + ":80")));
    ContainerRecord second =
        containers.create(sh(bridge("bridge", List.of(port + ":80")), "sleep 60"));
    IOException taken = assertThrows(IOException.class, () -> containers.start(second.id()));
    assertTrue(taken.getMessage().contains("cannot publish 0.0.0.0:" + port + "/tcp: the port is"
        + " already published by container " + first.id().substring(0, 12)), taken.getMessage());
    assertTrue(httpGet(port).contains("hello from the container"), "the first still serves");
    containers.remove(second.id(), true, true);
    containers.remove(first.id(), true, true);
    assertNothingLeft();

    ContainerRecord third = server("third" + tag, bridge("bridge", List.of(port + ":80")));
    assertTrue(httpGet(port).contains("hello from the container"));
    containers.remove(third.id(), true, true);
    assertNothingLeft();
  }

  @Test
  void publishedUdpPort_reachesTheContainer_fromTheHost() throws Exception {
    Requirements.require(Files.isExecutable(Path.of("/usr/bin/python3")),
        "/usr/bin/python3 (apt-get install python3-minimal)");
    ContainerRecord c = containers.start(containers.create(
        ContainerRequest.of(busybox(),
                ContainerOptions.builder().args("/usr/bin/python3", "-c", UDP_ECHO).build())
            .withNetwork(bridge("bridge", List.of("127.0.0.1::5353/udp")))
            .withVolumes(List.of("/usr:/usr:ro"))
            .withName("udp")).id());
    int port = containers.inspect(c.id()).networkStatus().ports().get(0).hostPort();
    String reply = null;
    try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
      s.setSoTimeout(500);
      byte[] in = new byte[512];
      // The server may still be starting: datagrams before it binds are lost, so ask again.
      for (int i = 0; i < 60 && reply == null; i++) {
        byte[] out = ("ping " + i).getBytes(StandardCharsets.UTF_8);
        s.send(new java.net.DatagramPacket(out, out.length, new InetSocketAddress("127.0.0.1", port)));
        java.net.DatagramPacket p = new java.net.DatagramPacket(in, in.length);
        try {
          s.receive(p);
          reply = new String(in, 0, p.getLength(), StandardCharsets.UTF_8);
        } catch (java.net.SocketTimeoutException notYet) {
          // again
        }
      }
    }
    assertTrue(reply != null && reply.startsWith("echo ping "), String.valueOf(reply));
    containers.remove(c.id(), true, true);
    assertNothingLeft();
  }

  @Test
  void twoStores_onTheDefaultNetwork_getDifferentAddresses_thenLeaveNothing() throws Exception {
    Path root2 = tmp.resolve("lamina2");
    other = Containers.open(root2, TestNetworks.exitCommand(defaults), OciRuntimes.source(root2), defaults);
    ContainerRecord a = containers.start(containers.create(sh(bridge("bridge", List.of()), "sleep 600")).id());
    ContainerRecord b = other.start(other.create(sh(bridge("bridge", List.of()), "sleep 600")).id());
    String first = containers.inspect(a.id()).networkStatus().primary().orElseThrow().address();
    String second = other.inspect(b.id()).networkStatus().primary().orElseThrow().address();
    assertFalse(first.equals(second), "both stores handed out " + first + " on one bridge");
    // Each sees the other across the bridge: they are on one network, not two copies of it.
    Result ping = run(sh(bridge("bridge", List.of()), "ping -c 1 -W 5 " + second).withAutoRemove(true));
    assertEquals(0, ping.code(), ping.out());
    containers.remove(a.id(), true, true);
    other.remove(b.id(), true, true);
    assertNothingLeft();
    assertFalse(Files.exists(other.networks().runtimeDirectory().resolve("netns"))
        && Files.list(other.networks().runtimeDirectory().resolve("netns")).findAny().isPresent());
  }

  @Test
  void runRm_ownAddressAndHostsFile_thenExitLeavesNothing() throws Exception {
    Result r =
        run(sh(bridge("bridge", List.of()), "ip -o -4 addr show eth0; cat /etc/hosts")
            .withName("solo").withAutoRemove(true));
    assertEquals(0, r.code(), r.out());
    String address = r.out().lines().findFirst().orElseThrow().split("\\s+")[3].split("/")[0];
    assertTrue(address.startsWith("10.232."), r.out());
    assertTrue(r.out().contains(address + "\t"), r.out());
    assertTrue(r.out().contains(" solo"), r.out());
    // As docker writes it: the hostname on the container's own address, not on loopback.
    assertTrue(r.out().lines().anyMatch(l -> l.equals("127.0.0.1\tlocalhost")), r.out());
    assertEquals(List.of(), containers.list(true));
    assertNothingLeft();
  }

  @Test
  void exitedContainer_isOffItsNetwork_andStartsAgainOnIt() throws Exception {
    ContainerRecord c =
        containers.create(sh(bridge("bridge", List.of()), "ip -o -4 addr show eth0"));
    assertEquals(0, containers.startAttached(c.id(), Stdio.inherit(), false));
    assertNull(containers.inspect(c.id()).networkStatus());
    assertNothingLeft();
    assertEquals(0, containers.startAttached(c.id(), Stdio.inherit(), false));
    assertNothingLeft();
  }

  @Test
  void containersOnOneUserNetwork_reachEachOtherByName_andTheNetworkIsInUse() throws Exception {
    containers.networks().registry().create(NetworkCreateRequest.named(tag + "u"));
    ContainerNetwork net = ContainerNetwork.parse(tag + "u", null);
    ContainerRecord srv = server("srv" + tag, net);
    Result r =
        run(sh(net, "for i in $(seq 50); do " + GET + " srv" + tag + " 80 | grep . && exit 0; sleep 0.1; done; exit 1")
            .withAutoRemove(true));
    assertEquals(0, r.code(), r.out());
    assertTrue(r.out().contains("hello from the container"), r.out());
    IOException inUse =
        assertThrows(IOException.class, () -> containers.networks().registry().remove(tag + "u"));
    assertTrue(inUse.getMessage().contains("in use"), inUse.getMessage());
    containers.remove(srv.id(), true, true);
    assertNothingLeft();
  }

  @Test
  void connectAndDisconnect_aRunningContainer_reachedByNameAndAlias_thenNothingLeft() throws Exception {
    String net = tag + "c";
    containers.networks().registry().create(NetworkCreateRequest.named(net));
    ContainerRecord srv = server("srv" + tag, bridge("bridge", List.of()));
    containers.connect(srv.id(), new NetworkRequest.Connection(net, List.of("alias" + tag), null));
    ContainerRecord r = containers.inspect(srv.id());
    assertEquals(List.of(tag, net),
        r.networkStatus().attachments().stream().map(NetworkAttachment::network).toList());
    assertEquals("eth1", r.networkStatus().attachments().get(1).interfaceName());
    String loop = "for i in $(seq 50); do " + GET + " %s 80 | grep . && exit 0; sleep 0.1; done; exit 1";
    ContainerNetwork on = ContainerNetwork.parse(net, null);
    for (String name : List.of("srv" + tag, "alias" + tag)) {
      Result got = run(sh(on, String.format(loop, name)).withAutoRemove(true));
      assertEquals(0, got.code(), name + ": " + got.out());
      assertTrue(got.out().contains("hello from the container"), got.out());
    }
    // A container connected from the default network (no DNS there) resolves names on the new one.
    ContainerRecord client = containers.start(containers.create(
        sh(bridge("bridge", List.of()), "sleep 600").withName("client" + tag)).id());
    assertEquals(1, containers.exec(client.id(), new ExecRequest(List.of("sh", "-c",
        GET + " " + containers.inspect(srv.id()).networkStatus().attachments().get(1).address()
            + " 80 | grep -q hello"), null, null, null, false), false),
        "isolated: the default network reaches no container of another network");
    containers.connect(client.id(), new NetworkRequest.Connection(net, List.of(), null));
    assertEquals(0, containers.exec(client.id(), new ExecRequest(List.of("sh", "-c",
        String.format(loop, "alias" + tag) + " | grep -q hello"), null, null, null, false), false));
    containers.remove(client.id(), true, true);

    NetworkException twice = assertThrows(NetworkException.class,
        () -> containers.connect(srv.id(), new NetworkRequest.Connection(net, List.of(), null)));
    assertEquals("container srv" + tag + " is already connected to network " + net, twice.getMessage());

    containers.disconnect(srv.id(), net, false);
    assertEquals(List.of(tag), containers.inspect(srv.id()).networkStatus().attachments().stream()
        .map(NetworkAttachment::network).toList());
    Result gone = run(sh(on, GET + " srv" + tag + " 80").withAutoRemove(true));
    assertTrue(gone.code() != 0 && !gone.out().contains("hello"), gone.out());
    NetworkException last = assertThrows(NetworkException.class,
        () -> containers.disconnect(srv.id(), tag, false));
    assertTrue(last.getMessage().contains("only network"), last.getMessage());
    NetworkException notOn = assertThrows(NetworkException.class,
        () -> containers.disconnect(srv.id(), net, false));
    assertEquals("container srv" + tag + " is not connected to network " + net, notOn.getMessage());
    containers.remove(srv.id(), true, true);
    assertNothingLeft();
  }

  /**
   * A container created on two user networks: an address and an interface on each, its name
   * answered on each by aardvark-dns; its removal takes all of it away (veths, namespace,
   * firewall rules as iptables and nft show them, leases, DNS records).
   */
  @Test
  void severalNetworks_anAddressOnEach_reachedByNameOnEach_thenRemoveLeavesNothing()
      throws Exception {
    Requirements.tool("nft");
    Set<String> namespacesBefore = HostNetwork.namespaces();
    List<String> nftBefore = HostNetwork.nftRules();
    String a = tag + "a";
    String b = tag + "b";
    containers.networks().registry().create(NetworkCreateRequest.named(a));
    containers.networks().registry().create(NetworkCreateRequest.named(b));
    ContainerNetwork both = ContainerNetwork.parse(List.of(a, b + "," + a), null);
    assertEquals(List.of(a, b), both.request().networks());
    ContainerRecord srv = server("srv" + tag, both);
    NetworkStatus status = containers.inspect(srv.id()).networkStatus();
    assertEquals(List.of(a, b), status.attachments().stream().map(NetworkAttachment::network).toList());
    assertEquals(List.of("eth0", "eth1"),
        status.attachments().stream().map(NetworkAttachment::interfaceName).toList());
    for (NetworkAttachment on : status.attachments()) {
      Subnet subnet = containers.networks().registry().inspect(on.network()).subnet();
      assertTrue(subnet.contains(Ipv4.parse(on.address())), on.toString());
    }
    String loop = "for i in $(seq 50); do " + GET + " srv" + tag
        + " 80 | grep . && exit 0; sleep 0.1; done; exit 1";
    for (String net : List.of(a, b)) {
      Result got = run(sh(ContainerNetwork.parse(net, null), loop).withAutoRemove(true));
      assertEquals(0, got.code(), net + ": " + got.out());
      assertTrue(got.out().contains("hello from the container"), got.out());
    }
    assertTrue(HostNetwork.nftRules().size() > nftBefore.size(), "no rule of the networks in nft");
    containers.remove(srv.id(), true, true);
    assertNothingLeft();
    assertEquals(namespacesBefore, HostNetwork.namespaces());
    assertEquals(nftBefore, HostNetwork.nftRules());
  }

  @Test
  void networksStayIsolated_afterAnotherNetworkIsTornDown() throws Exception {
    containers.networks().registry().create(NetworkCreateRequest.named(tag + "a"));
    containers.networks().registry().create(NetworkCreateRequest.named(tag + "b"));
    ContainerRecord srv = server("srv" + tag, ContainerNetwork.parse(tag + "a", null));
    String address = containers.inspect(srv.id()).networkStatus().primary().orElseThrow().address();
    ContainerRecord client = containers.start(containers.create(
        sh(bridge("bridge", List.of()), "sleep 600").withName("client" + tag)).id());
    // A network that comes and goes: netavark takes its bridge away with its last container.
    ContainerRecord passing = containers.start(containers.create(
        sh(ContainerNetwork.parse(tag + "b", null), "sleep 600")).id());
    containers.remove(passing.id(), true, true);
    assertEquals(1, containers.exec(client.id(), new ExecRequest(List.of("sh", "-c",
        GET + " " + address + " 80 | grep -q hello"), null, null, null, false), false),
        "the default network reached a container of another network");
    containers.remove(client.id(), true, true);
    containers.remove(srv.id(), true, true);
    assertNothingLeft();
  }

  @Test
  void connect_aStoppedContainer_joinsAtItsNextStart() throws Exception {
    String net = tag + "s";
    containers.networks().registry().create(NetworkCreateRequest.named(net));
    ContainerRecord c = containers.create(sh(bridge("bridge", List.of()), "ip -o -4 addr show"));
    containers.connect(c.id(), new NetworkRequest.Connection(net, List.of(), null));
    NetworkException inUse =
        assertThrows(NetworkException.class, () -> containers.networks().registry().remove(net));
    assertTrue(inUse.getMessage().contains("in use"), inUse.getMessage());
    Path out = Files.createTempFile(tmp, "out", ".txt");
    Stdio stdio = new Stdio(Redirect.from(Path.of("/dev/null").toFile()),
        Redirect.appendTo(out.toFile()), Redirect.appendTo(out.toFile()));
    assertEquals(0, containers.startAttached(c.id(), stdio, false));
    String seen = Files.readString(out);
    assertTrue(seen.contains("eth0") && seen.contains("eth1"), seen);
    containers.remove(c.id(), true, true);
    assertNothingLeft();
  }

  @Test
  void networkContainer_joinsTheOthersNamespace() throws Exception {
    ContainerRecord srv = server("srv", bridge("bridge", List.of()));
    String address = containers.inspect(srv.id()).networkStatus().primary().orElseThrow().address();
    Result r =
        run(sh(ContainerNetwork.parse("container:srv", null),
                "ip -o -4 addr show eth0; for i in $(seq 50); do " + GET + " 127.0.0.1 80 | grep . && exit 0; sleep 0.1; done; exit 1")
            .withAutoRemove(true));
    assertEquals(0, r.code(), r.out());
    assertTrue(r.out().contains(address + "/"), r.out());
    assertTrue(r.out().contains("hello from the container"), r.out());
    containers.remove(srv.id(), true, true);
    assertNothingLeft();
  }

  @Test
  void networkContainer_resolvesNamesAsTheOtherDoes_onAUserNetwork() throws Exception {
    String net = tag + "j";
    containers.networks().registry().create(NetworkCreateRequest.named(net));
    ContainerRecord srv = server("srv" + tag, ContainerNetwork.parse(net, null));
    String address = containers.inspect(srv.id()).networkStatus().primary().orElseThrow().address();
    // By name through the other's aardvark-dns, and the other's own name from its hosts file.
    Result r =
        run(sh(ContainerNetwork.parse("container:srv" + tag, null),
                "cat /etc/hosts; for i in $(seq 50); do " + GET + " srv" + tag
                    + " 80 | grep . && exit 0; sleep 0.1; done; exit 1")
            .withName("side" + tag).withAutoRemove(true));
    assertEquals(0, r.code(), r.out());
    assertTrue(r.out().contains("hello from the container"), r.out());
    assertTrue(r.out().contains(address + "\t"), r.out());
    assertTrue(r.out().contains("side" + tag), r.out());
    containers.remove(srv.id(), true, true);
    assertNothingLeft();
  }

  @Test
  void networkNone_hasLoopbackAlone_andHostHasTheHostsLinks() throws Exception {
    Result none =
        run(sh(ContainerNetwork.parse("none", null), "ip -o link").withAutoRemove(true));
    assertEquals(0, none.code(), none.out());
    assertEquals(1, none.out().lines().count(), none.out());
    Result host =
        run(sh(ContainerNetwork.parse("host", null), "ip -o link").withAutoRemove(true));
    assertEquals(0, host.code(), host.out());
    assertEquals(links().size(), host.out().lines().count(), host.out());
    assertNothingLeft();
  }

  @Test
  void networkHost_hasTheHostsHostname_othersTheirShortId() throws Exception {
    String own = run(List.of("hostname")).strip();
    Result host = run(sh(ContainerNetwork.parse("host", null), "hostname; cat /etc/hostname")
        .withAutoRemove(true));
    assertEquals(0, host.code(), host.out());
    assertEquals(own + "\n" + own, host.out());
    Result none = run(sh(ContainerNetwork.parse("none", null), "hostname").withAutoRemove(true));
    assertTrue(none.out().matches("[0-9a-f]{12}"), none.out());
    assertNothingLeft();
  }

  @Test
  void killedMonitor_thenRm_leavesNothing() throws Exception {
    int port = freePort();
    ContainerRecord c = server("web", bridge("bridge", List.of("127.0.0.1:" + port + ":80")));
    assertTrue(httpGet(port).contains("hello"));
    ProcessHandle monitor = ProcessHandle.of(containers.inspect(c.id()).monitorPid()).orElseThrow();
    monitor.destroyForcibly();
    monitor.onExit().get(30, TimeUnit.SECONDS);
    containers.remove(c.id(), true, true);
    assertNothingLeft();
  }

  /**
   * A start cut off between the runtime's create and its start (the command starting it killed
   * with SIGKILL, its monitor gone too): the container's process waits in runc's init for a start
   * that never comes. The next command finishes it as an ended run: off its networks, its port
   * free again, and removed with --rm.
   */
  @Test
  void startCutOffBeforeTheRuntimesStart_isFinishedByTheNextCommand() throws Exception {
    dev.lamina.runner.runtime.OciRuntime runc = OciRuntimes.source(root).select(null);
    Containers cutOff = Containers.open(root, TestNetworks.exitCommand(defaults),
        selector -> new StartNeverComes(runc), defaults);
    int port = freePort();
    ContainerRecord c = cutOff.create(
        sh(bridge("bridge", List.of("127.0.0.1:" + port + ":80")), "exec httpd -f -p 80 -h /www")
            .withAutoRemove(true));
    cutOff.start(c.id());
    assertEquals("created", runc.state(c.id()).orElseThrow().status());
    ProcessHandle monitor = ProcessHandle.of(cutOff.inspect(c.id()).monitorPid()).orElseThrow();
    monitor.destroyForcibly();
    monitor.onExit().get(30, TimeUnit.SECONDS);
    assertEquals(List.of(), containers.list(true), "still recorded as running");
    assertTrue(runc.state(c.id()).isEmpty());
    assertNothingLeft();
  }

  /** runc, but a start never reaches it: the container stays created, as a cut-off start left it. */
  private static final class StartNeverComes implements dev.lamina.runner.runtime.OciRuntime {
    private final dev.lamina.runner.runtime.OciRuntime runc;

    StartNeverComes(dev.lamina.runner.runtime.OciRuntime runc) {
      this.runc = runc;
    }

    @Override public String name() { return runc.name(); }
    @Override public int run(String id, Path bundle, Stdio stdio, boolean keep, boolean fwd)
        throws IOException, InterruptedException { return runc.run(id, bundle, stdio, keep, fwd); }
    @Override public int exec(String id, Path process, Stdio stdio, boolean fwd)
        throws IOException, InterruptedException { return runc.exec(id, process, stdio, fwd); }
    @Override public void create(String id, Path bundle, Stdio stdio) throws IOException {
      runc.create(id, bundle, stdio);
    }
    @Override public java.util.Optional<dev.lamina.runner.runtime.RuntimeCommand> command(String id)
        throws IOException { return runc.command(id); }
    @Override public void start(String id) {}
    @Override public java.util.Optional<dev.lamina.runner.runtime.RuntimeState> state(String id)
        throws IOException { return runc.state(id); }
    @Override public void kill(String id, String signal) throws IOException { runc.kill(id, signal); }
    @Override public dev.lamina.runner.runtime.ResourceUsage usage(String id) throws IOException {
      return runc.usage(id);
    }
    @Override public String processes(String id, List<String> ps) throws IOException {
      return runc.processes(id, ps);
    }
    @Override public void pause(String id) throws IOException { runc.pause(id); }
    @Override public void resume(String id) throws IOException { runc.resume(id); }
    @Override public void delete(String id, boolean force) throws IOException { runc.delete(id, force); }
  }

  @Test
  void afterAHostRestart_theNextCommandReconciles_andTheContainerStartsAgain() throws Exception {
    ContainerRecord c = server("web", bridge("bridge", List.of("127.0.0.1:" + freePort() + ":80")));
    // What a restart takes: the processes, then the kernel's network state (veth, firewall
    // rules, the pinned namespace), the mounts and everything under /run.
    ProcessHandle monitor = ProcessHandle.of(containers.inspect(c.id()).monitorPid()).orElseThrow();
    monitor.destroyForcibly();
    monitor.onExit().get(30, TimeUnit.SECONDS);
    String runcRoot = root.resolve("runtime/runc").toString();
    run(List.of("runc", "--root", runcRoot, "delete", "-f", c.id()));
    Path ns = containers.networks().namespacePath(c.id());
    containers.networks().detach(c.id(), ns);
    NetworkNamespace.remove(ns);
    RootfsAssembly.unmount(root.resolve("containers").resolve(c.id()));
    Trees.deleteRecursively(containers.networks().runtimeDirectory());
    assertEquals(ContainerState.RUNNING, readRecord(c.id()).state(), "the record still says so");

    // The next command sees it exited, and has nothing to tear down.
    assertEquals(ContainerState.EXITED, containers.inspect(c.id()).state());
    assertNothingLeft();
    containers.start(c.id());
    assertNotNull(containers.inspect(c.id()).networkStatus());
    containers.remove(c.id(), true, true);
    assertNothingLeft();
  }

  @Test
  void aRemovedStoresRuntimeDirectory_isTidiedByAnotherStoresPrune() throws Exception {
    Path left = removedStoreWithARunningContainer();

    containers.prune();
    assertFalse(Files.exists(left), "the removed store's run-time directory is left");
    assertNothingLeft();
  }

  /**
   * Without any prune: the first container another store starts on a network makes that store's
   * directory, and the removed store's goes then, what it had attached taken off its networks.
   */
  @Test
  void aRemovedStoresRuntimeDirectory_isTidiedWhenAnotherStoresIsMade() throws Exception {
    Path left = removedStoreWithARunningContainer();

    ContainerRecord c = containers.start(containers.create(sh(bridge("bridge", List.of()), "true")).id());
    assertFalse(Files.exists(left), "the removed store's run-time directory is left");
    containers.remove(c.id(), true, true);
    assertNothingLeft();
  }

  /**
   * A store deleted under its running container, as rm -rf would: returns its run-time network
   * directory, still holding the container's namespace and attachment.
   */
  private Path removedStoreWithARunningContainer() throws Exception {
    Path root2 = tmp.resolve("gone");
    Containers gone =
        Containers.open(root2, TestNetworks.exitCommand(defaults), OciRuntimes.source(root2), defaults);
    ContainerRecord c = gone.start(gone.create(sh(bridge("bridge", List.of()), "sleep 600")).id());
    Path left = gone.networks().runtimeDirectory();
    assertTrue(Files.isDirectory(left));
    // The store is deleted under its running container, as rm -rf would.
    ProcessHandle monitor = ProcessHandle.of(gone.inspect(c.id()).monitorPid()).orElseThrow();
    monitor.destroyForcibly();
    monitor.onExit().get(30, TimeUnit.SECONDS);
    run(List.of("runc", "--root", root2.resolve("runtime/runc").toString(), "delete", "-f", c.id()));
    RootfsAssembly.unmount(root2.resolve("containers").resolve(c.id()));
    // The killed monitor's last writes may still land while the tree goes: delete until gone.
    for (int i = 0; Files.exists(root2); i++) {
      try {
        Trees.deleteRecursively(root2);
      } catch (java.nio.file.DirectoryNotEmptyException e) {
        if (i == 20) {
          throw e;
        }
        Thread.sleep(100);
      }
    }
    assertTrue(Files.isDirectory(left.resolve("netns")));
    return left;
  }

  private ContainerRecord readRecord(String id) throws IOException {
    return dev.lamina.runner.internal.JsonFiles.read(
        root.resolve("containers").resolve(id).resolve("container.json"), ContainerRecordCodec.INSTANCE);
  }

  @Test
  void killedMonitorAndLostRecord_areReconciled() throws Exception {
    ContainerRecord c = server("web", bridge("bridge", List.of("127.0.0.1:" + freePort() + ":80")));
    ProcessHandle monitor = ProcessHandle.of(containers.inspect(c.id()).monitorPid()).orElseThrow();
    monitor.destroyForcibly();
    monitor.onExit().get(30, TimeUnit.SECONDS);
    // Its record lost as well: only the networks' own state says it was attached.
    Path cdir = root.resolve("containers").resolve(c.id());
    String runcRoot = root.resolve("runtime/runc").toString();
    run(List.of("runc", "--root", runcRoot, "delete", "-f", c.id()));
    assertTrue(run(List.of("runc", "--root", runcRoot, "list", "-q")).isBlank(), "container left");
    RootfsAssembly.unmount(cdir);
    Trees.deleteRecursively(cdir);
    assertEquals(List.of(c.id()), containers.reconcileNetworks());
    assertNothingLeft();
  }

  @Test
  void leaseOfAContainerNotRunning_isGivenBackByPrune() throws Exception {
    ContainerRecord c = containers.create(sh(bridge("bridge", List.of()), "true"));
    // As after a host restart: the run-time state is gone, the store's lease is not.
    NetworkDefinition n = containers.networks().registry().inspect(tag);
    containers.networks().addresses().allocate(n, c.id(), null);
    assertEquals(Set.of(c.id()), containers.networks().addresses().leases(tag).keySet());
    containers.prune();
    assertEquals(Map.of(), containers.networks().addresses().leases(tag));
    assertNothingLeft();
  }

  @Test
  void badInput_failsClearly_andLeavesNothing() throws Exception {
    NetworkException unknown =
        assertThrows(NetworkException.class,
            () -> containers.create(sh(ContainerNetwork.parse("nosuch" + tag, null), "true")));
    assertTrue(unknown.getMessage().contains("nosuch" + tag), unknown.getMessage());
    assertEquals(List.of(), containers.list(true));
    assertThrows(NetworkException.class, () -> PortSpecs.parseAll(List.of("127.0.0.1:x:80")));
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = taken.getLocalPort();
      NetworkException inUse =
          assertThrows(NetworkException.class,
              () -> run(sh(bridge("bridge", List.of("127.0.0.1:" + port + ":80")), "true")
                  .withAutoRemove(true)));
      assertTrue(inUse.getMessage().contains(Integer.toString(port)), inUse.getMessage());
    }
    assertEquals(List.of(), containers.list(true));
    assertNothingLeft();
  }
}
