package dev.lamina.runner.network;

import static dev.lamina.layerfs.testing.Loopback.freePort;
import static dev.lamina.runner.testing.HostNetwork.links;
import static dev.lamina.runner.testing.HostNetwork.rules;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.Requirements;
import dev.lamina.runner.testing.TestNetworks;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real netavark and aardvark-dns on namespaces this test pins, with real traffic to loopback and to
 * the test networks' own addresses only. Each test uses bridges and subnets of its own and checks
 * that teardown leaves the host's links, pinned namespaces and firewall rules as they were.
 */
class NetavarkNetworkingTest {

  @TempDir Path root;
  @TempDir Path runtime;
  @TempDir Path www;

  String tag;
  Networks networks;
  final List<Process> processes = new ArrayList<>();
  final List<String[]> attached = new ArrayList<>();
  Set<String> linksBefore;
  List<String> rulesBefore;

  @BeforeEach
  void setUp() throws Exception {
    Requirements.root();
    Requirements.require(
        findNetavark(), "netavark and aardvark-dns in /usr/lib/podman (apt-get install netavark aardvark-dns)");
    Requirements.tool("unshare");
    Requirements.tool("nsenter");
    Requirements.tool("busybox");
    Requirements.tool("iptables-save");
    Requirements.tool("ip");
    tag = "lt" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    int third = ThreadLocalRandom.current().nextInt(0, 256);
    NetworkDefaults defaults =
        TestNetworks.own(tag, "10.231." + third + ".0/24", root.resolve("networks"));
    networks = Networks.open(runtime, NetworkUsers.NONE, defaults);
    linksBefore = links();
    rulesBefore = rules();
  }

  private static boolean findNetavark() {
    try {
      Netavark.locate().requireAardvark();
      return true;
    } catch (NetavarkNotFoundException e) {
      return false;
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : processes) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    for (String[] a : attached) {
      Path ns = Path.of(a[1]);
      try {
        networks.detach(a[0], ns);
      } finally {
        NetworkNamespace.remove(ns);
      }
    }
    if (networks != null) {
      for (NetworkDefinition n : networks.registry().list()) {
        if (!n.name().equals(tag)) {
          networks.registry().remove(n.name());
        }
      }
    }
  }

  private Path pin(String id) throws IOException {
    Path ns = NetworkNamespace.create(networks.namespacePath(id));
    attached.add(new String[] {id, ns.toString()});
    return ns;
  }

  private NetworkStatus attach(String id, NetworkRequest request) throws IOException {
    return networks.attach(id, networks.namespacePath(id), request);
  }

  private Process inNamespace(Path ns, String... command) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + ns));
    cmd.addAll(List.of(command));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    processes.add(p);
    return p;
  }

  private static String run(List<String> command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return out + "\nexit=" + p.exitValue();
  }

  /** An HTTP GET of {@code address}:80 from inside {@code ns}, by busybox nc (2 s connect timeout). */
  private static String fetchFrom(Path ns, String address) throws Exception {
    Process p =
        new ProcessBuilder("nsenter", "--net=" + ns, "busybox", "nc", "-w", "2", address, "80")
            .redirectErrorStream(true)
            .start();
    try (var in = p.getOutputStream()) {
      in.write("GET / HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    return out + "\nexit=" + p.exitValue();
  }

  /** After every teardown: no veth or bridge, no pinned namespace, no firewall rule left. */
  private void assertNothingLeft() throws Exception {
    for (String[] a : attached) {
      networks.detach(a[0], Path.of(a[1]));
      NetworkNamespace.remove(Path.of(a[1]));
      assertFalse(Files.exists(Path.of(a[1])));
    }
    attached.clear();
    for (NetworkDefinition n : networks.registry().list()) {
      assertEquals(Map.of(), networks.addresses().leases(n.name()));
    }
    assertEquals(Set.of(), networks.attached());
    assertEquals(linksBefore, links());
    assertEquals(rulesBefore, rules());
    Path pinned = runtime.resolve("netns");
    assertTrue(!Files.exists(pinned) || Files.list(pinned).findAny().isEmpty());
  }

  private String httpGet(String url) throws Exception {
    URI u = URI.create(url);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(u.getHost(), u.getPort()), 5000);
      s.setSoTimeout(5000);
      s.getOutputStream().write(("GET / HTTP/1.0\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Retries while the server in the namespace is still starting. */
  private String httpGetEventually(String url) throws Exception {
    IOException last = null;
    for (int i = 0; i < 50; i++) {
      try {
        return httpGet(url);
      } catch (IOException e) {
        last = e;
        Thread.sleep(100);
      }
    }
    throw last;
  }

  @Test
  void publish_tcpAndUdp_reachedFromHostLoopback_thenNothingLeft() throws Exception {
    Files.writeString(www.resolve("index.html"), "hello from " + tag + "\n");
    Path ns = pin("c1" + tag);
    int tcpPort = freePort();
    NetworkStatus status =
        attach(
            "c1" + tag,
            NetworkRequest.defaults("web")
                .withPorts(
                    PortSpecs.parseAll(
                        List.of("127.0.0.1:" + tcpPort + ":80", "127.0.0.1::9999/udp"))));
    NetworkAttachment a = status.primary().orElseThrow();
    NetworkDefinition def = networks.registry().inspect(tag);
    assertEquals(Ipv4.format(def.subnet().host(2)), a.address());
    assertEquals(def.gatewayText(), a.gateway());
    assertEquals("eth0", a.interfaceName());
    assertTrue(a.mac().matches("([0-9a-f]{2}:){5}[0-9a-f]{2}"), a.mac());
    assertTrue(run(List.of("nsenter", "--net=" + ns, "ip", "-o", "addr")).contains(a.address() + "/24"));
    assertTrue(linksBefore.size() < links().size());
    int udpPort = status.ports().get(1).hostPort();
    assertNotEquals(0, udpPort);
    assertEquals("127.0.0.1:" + udpPort + "->9999/udp", status.ports().get(1).render());

    inNamespace(ns, "busybox", "httpd", "-f", "-p", "80", "-h", www.toString());
    String page = httpGetEventually("http://127.0.0.1:" + tcpPort + "/");
    assertTrue(page.contains("hello from " + tag), page);

    Process echo =
        inNamespace(
            ns,
            ProcessHandle.current().info().command().orElse("java"),
            "-cp",
            System.getProperty("java.class.path"),
            UdpEcho.class.getName(),
            "9999");
    BufferedReader ready = new BufferedReader(new InputStreamReader(echo.getInputStream(), StandardCharsets.UTF_8));
    assertEquals("ready", ready.readLine());
    try (DatagramSocket s = new DatagramSocket()) {
      s.setSoTimeout(5000);
      byte[] msg = "ping".getBytes(StandardCharsets.UTF_8);
      s.send(new DatagramPacket(msg, msg.length, new InetSocketAddress("127.0.0.1", udpPort)));
      DatagramPacket reply = new DatagramPacket(new byte[100], 100);
      s.receive(reply);
      assertEquals("echo:ping", new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8));
    }

    // Teardown twice: the second does nothing.
    networks.detach("c1" + tag, ns);
    networks.detach("c1" + tag, ns);
    assertThrows(IOException.class, () -> httpGet("http://127.0.0.1:" + tcpPort + "/"));
    assertNothingLeft();
    // No held port: the host can bind both again.
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", tcpPort));
    }
  }

  @Test
  void userNetwork_namesResolveThroughAardvark_andNetworksAreIsolated() throws Exception {
    int third = ThreadLocalRandom.current().nextInt(0, 256);
    NetworkDefinition front =
        networks.registry().create(new NetworkCreateRequest(tag + "f", "10.232." + third + ".0/24", null, false, Map.of()));
    NetworkDefinition back =
        networks.registry().create(new NetworkCreateRequest(tag + "b", "10.233." + third + ".0/24", null, false, Map.of()));
    Path ns1 = pin("a1" + tag);
    Path ns2 = pin("a2" + tag);
    Path ns3 = pin("a3" + tag);
    NetworkRequest onFront = NetworkRequest.defaults("x").withNetworks(List.of(front.name()));
    NetworkStatus s1 = attach("a1" + tag, new NetworkRequest("one" + tag, List.of(front.name()), List.of("db" + tag), null, List.of(), List.of()));
    NetworkStatus s2 = attach("a2" + tag, onFront.withAliases(List.of()).withNetworks(List.of(front.name())).withStaticIp("10.232." + third + ".50"));
    NetworkStatus s3 = attach("a3" + tag, NetworkRequest.defaults("three" + tag).withNetworks(List.of(back.name())));
    assertEquals("10.232." + third + ".50", s2.primary().orElseThrow().address());
    assertEquals(List.of(front.gatewayText()), s1.primary().orElseThrow().dnsServers());
    assertEquals(List.of("one" + tag, "db" + tag), s1.primary().orElseThrow().aliases());

    String a1 = s1.primary().orElseThrow().address();
    for (String name : List.of("one" + tag, "db" + tag)) {
      // aardvark-dns has just been started by netavark and may not listen yet.
      String out = "";
      for (int i = 0; i < 50 && !out.contains("Address: " + a1); i++) {
        out = run(List.of("nsenter", "--net=" + ns2, "busybox", "nslookup", name, front.gatewayText()));
        Thread.sleep(100);
      }
      assertTrue(out.contains("Address: " + a1), out);
    }
    ResolvConf resolv = ResolvConf.forContainer(s2, "nameserver 127.0.0.53\n", List.of(), List.of(), List.of());
    assertEquals("search dns.podman\nnameserver " + front.gatewayText() + "\n", resolv.render());

    // Same network: reached. Other network: not, though both are on this host.
    inNamespace(ns1, "busybox", "httpd", "-f", "-p", "80", "-h", www.toString());
    Files.writeString(www.resolve("index.html"), "front\n");
    String seen = "";
    for (int i = 0; i < 50 && !seen.contains("front"); i++) {
      seen = fetchFrom(ns2, a1);
      Thread.sleep(100);
    }
    assertTrue(seen.contains("front"), seen);
    String blocked = fetchFrom(ns3, a1);
    assertFalse(blocked.contains("front"), blocked);
    assertTrue(!blocked.endsWith("exit=0"), blocked);

    assertEquals(
        "network " + front.name() + " is in use by a container; remove the container first",
        assertThrows(NetworkException.class, () -> networks.registry().remove(front.name())).getMessage());
    for (Process p : processes) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    processes.clear();
    assertNothingLeft();
    networks.registry().remove(front.name());
    networks.registry().remove(back.name());
    assertEquals(rulesBefore, rules());
  }

  @Test
  void publish_portInUse_refused_andNothingSetUp() throws Exception {
    Path ns = pin("p1" + tag);
    try (ServerSocket busy = new ServerSocket()) {
      busy.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = busy.getLocalPort();
      NetworkException e =
          assertThrows(
              NetworkException.class,
              () -> networks.attach("p1" + tag, ns, NetworkRequest.defaults("p").withPorts(PortSpecs.parse("127.0.0.1:" + port + ":80"))));
      assertTrue(e.getMessage().startsWith("cannot publish 127.0.0.1:" + port + "/tcp: "), e.getMessage());
    }
    assertEquals(
        "network not found: nosuch" + tag,
        assertThrows(
                NetworkException.class,
                () -> networks.attach("p1" + tag, ns, NetworkRequest.defaults("p").withNetworks(List.of("nosuch" + tag))))
            .getMessage());
    assertNothingLeft();
  }

  @Test
  void setupFailure_tornDown_nothingLeft() throws Exception {
    // No namespace pinned at this path: netavark fails after parsing, and nothing may stay.
    Path missing = runtime.resolve("netns/none" + tag);
    assertThrows(NetworkException.class, () -> networks.attach("f1" + tag, missing, NetworkRequest.defaults("f")));
    assertEquals(Set.of(), networks.attached());
    assertNothingLeft();
  }

  @Test
  void namespaceGoneFirst_detachStillRemovesHostSide() throws Exception {
    Path ns = pin("g1" + tag);
    attach("g1" + tag, NetworkRequest.defaults("g").withPorts(PortSpecs.parse("127.0.0.1::80")));
    assertNotEquals(rulesBefore, rules());
    // As after a crash or a restart: the pinned namespace is gone, the attachment record is not.
    NetworkNamespace.remove(ns);
    networks.detach("g1" + tag, ns);
    assertNothingLeft();
  }
}
