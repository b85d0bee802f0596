package dev.lamina.cli;

import static dev.lamina.layerfs.testing.Loopback.freePort;
import static dev.lamina.layerfs.testing.Loopback.httpGet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.testing.Requirements;
import dev.lamina.runner.network.Ipv4;
import dev.lamina.runner.network.Subnet;
import dev.lamina.runner.testing.HostNetwork;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run --network/-p}, {@code port}, {@code ps} and {@code inspect} end to end, with netavark. */
class RunNetworkTest {
  @TempDir static Path shared;
  private static Path rootfs;

  @TempDir Path tmp;
  private Cli lamina;
  private String net;

  @BeforeAll
  static void rootfs() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Requirements.tool("conmon");
    Requirements.require(
        Files.isExecutable(Path.of("/usr/lib/podman/netavark"))
            && Files.isExecutable(Path.of("/usr/lib/podman/aardvark-dns")),
        "netavark and aardvark-dns in /usr/lib/podman (apt-get install netavark aardvark-dns)");
    rootfs = Cli.busyboxRootfs(shared.resolve("rootfs"));
    Files.createDirectories(rootfs.resolve("www"));
    Files.writeString(rootfs.resolve("www/index.html"), "served by lamina\n");
  }

  @BeforeEach
  void store() {
    lamina = new Cli(tmp.resolve("store"));
    lamina.run("import", "--change", "CMD [\"sh\"]", rootfs.toString(), "busybox").ok();
    net = "rn" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    int third = ThreadLocalRandom.current().nextInt(0, 256);
    lamina.run("network", "create", "--subnet", "10.234." + third + ".0/24", net).ok();
  }

  @AfterEach
  void tidy() throws Exception {
    lamina.run("rm", "-f", "web").code();
    lamina.run("network", "rm", net).code();
    List<Path> left = MountTable.mountPointsUnder(tmp);
    OverlayMount.unmountAllUnder(tmp);
    assertEquals(List.of(), left);
  }

  @Test
  void publishedPort_servesTheHost_andPsPortInspectShowIt() throws Exception {
    int port = freePort();
    lamina.run("run", "-d", "--name", "web", "--network", net, "-p", "127.0.0.1:" + port + ":80",
        "busybox", "httpd", "-f", "-p", "80", "-h", "/www").ok();
    assertTrue(httpGet(port).contains("served by lamina"));
    String mapping = "127.0.0.1:" + port + "->80/tcp";
    assertTrue(lamina.run("ps").ok().out().contains(mapping));
    assertEquals(List.of("80/tcp -> 127.0.0.1:" + port), lamina.run("port", "web").ok().lines());
    assertEquals(List.of("127.0.0.1:" + port), lamina.run("port", "web", "80/tcp").ok().lines());
    assertEquals(ExitCodes.ERROR, lamina.run("port", "web", "81").code());
    JsonNode settings =
        Json.readTree(lamina.run("inspect", "web").ok().out().getBytes(StandardCharsets.UTF_8))
            .get(0).get("NetworkSettings");
    assertTrue(settings.get("IPAddress").asText().startsWith("10.234."), settings.toString());
    assertEquals(
        String.valueOf(port), settings.get("Ports").get("80/tcp").get(0).get("HostPort").asText());
    assertTrue(settings.get("Networks").has(net), settings.toString());
    Cli.Result inUse = lamina.run("network", "rm", net);
    assertNotEquals(0, inUse.code());
    assertTrue(inUse.err().contains("in use"), inUse.err());
    lamina.run("rm", "-f", "web").ok();
    // No held port: the host can bind it again.
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress("127.0.0.1", port));
    }
  }

  @Test
  void badNetworkInput_failsClearly_andCreatesNothing() throws Exception {
    Cli.Result spec = lamina.run("run", "--rm", "--network", net, "-p", "127.0.0.1:x:80", "busybox", "true");
    assertEquals(ExitCodes.ERROR, spec.code());
    assertTrue(spec.err().contains("invalid port spec '127.0.0.1:x:80'"), spec.err());
    Cli.Result unknown = lamina.run("run", "--rm", "--network", "nosuch", "busybox", "true");
    assertEquals(ExitCodes.ERROR, unknown.code());
    assertTrue(unknown.err().contains("nosuch"), unknown.err());
    Cli.Result hostPublish = lamina.run("run", "--rm", "--network", "host", "-p", "80", "busybox", "true");
    assertEquals(ExitCodes.ERROR, hostPublish.code());
    assertTrue(hostPublish.err().contains("--publish"), hostPublish.err());
    Cli.Result ip = lamina.run("run", "--rm", "--network", net, "--ip", "192.0.2.7", "busybox", "true");
    assertEquals(ExitCodes.ERROR, ip.code());
    assertEquals(1, ip.err().lines().count(), ip.err());
    assertTrue(ip.err().contains("192.0.2.7 is not a free host address"), ip.err());
    Cli.Result connect = lamina.run("network", "connect", "nosuch", "web");
    assertEquals(ExitCodes.ERROR, connect.code());
    assertEquals(1, connect.err().lines().count(), connect.err());
    assertEquals(List.of(), lamina.run("ps", "-aq").ok().lines());
  }

  @Test
  void runWithoutNetwork_joinsTheDefaultBridgeNetwork() throws Exception {
    JsonNode def = Json.readTree(lamina.run("network", "inspect", "lamina").ok().out()
        .getBytes(StandardCharsets.UTF_8)).get(0);
    String subnet = def.get("subnets").get(0).get("subnet").asText();
    Cli.Result r = lamina.run("run", "--rm", "busybox", "ip", "-o", "-4", "addr", "show", "eth0");
    assertEquals(0, r.code(), r.err());
    String address = r.out().strip().split("\\s+")[3].replaceAll("/.*", "");
    assertTrue(Subnet.parse(subnet).contains(Ipv4.parse(address)), subnet + ": " + r.out());
    lamina.run("create", "--name", "web", "busybox", "true").ok();
    JsonNode web = Json.readTree(lamina.run("inspect", "web").ok().out()
        .getBytes(StandardCharsets.UTF_8)).get(0);
    assertEquals("bridge", web.get("HostConfig").get("NetworkMode").asText(), web.toString());
  }

  /** The first three parts of {@link #secondNetwork}'s subnet's addresses ({@code 10.235.N.}). */
  private String secondPrefix;

  /** Creates a second user network, {@code NETb} on a subnet of its own. */
  private String secondNetwork() {
    String other = net + "b";
    secondPrefix = "10.235." + ThreadLocalRandom.current().nextInt(0, 256) + ".";
    lamina.run("network", "create", "--subnet", secondPrefix + "0/24", other).ok();
    return other;
  }

  @Test
  void connectAndDisconnect_aRunningContainer() throws Exception {
    String other = secondNetwork();
    try {
      lamina.run("run", "-d", "--name", "web", "--network", net, "busybox",
          "httpd", "-f", "-p", "80", "-h", "/www").ok();
      assertEquals("", lamina.run("network", "connect", "--alias", "site", other, "web").ok().out());
      JsonNode nets = Json.readTree(lamina.run("inspect", "web").ok().out()
          .getBytes(StandardCharsets.UTF_8)).get(0).get("NetworkSettings").get("Networks");
      assertTrue(nets.has(net) && nets.has(other), nets.toString());
      Cli.Result got = lamina.run("run", "--rm", "--network", other, "busybox", "sh", "-c",
          "for i in $(seq 50); do printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 2 site 80 | grep . && exit 0; sleep 0.1; done; exit 1");
      assertEquals(0, got.code(), got.out() + got.err());
      assertTrue(got.out().contains("served by lamina"), got.out());
      Cli.Result twice = lamina.run("network", "connect", other, "web");
      assertEquals("lamina: container web is already connected to network " + other + "\n", twice.err());
      lamina.run("network", "disconnect", other, "web").ok();
      Cli.Result notOn = lamina.run("network", "disconnect", other, "web");
      assertEquals(ExitCodes.ERROR, notOn.code());
      assertEquals("lamina: container web is not connected to network " + other + "\n", notOn.err());
      Cli.Result noSuch = lamina.run("network", "connect", other, "nosuch");
      assertEquals(1, noSuch.err().lines().count(), noSuch.err());
      lamina.run("rm", "-f", "web").ok();
    } finally {
      lamina.run("rm", "-f", "web");
      lamina.run("network", "rm", other);
    }
  }

  private JsonNode inspect(String name) throws IOException {
    return Json.readTree(lamina.run("inspect", name).ok().out().getBytes(StandardCharsets.UTF_8))
        .get(0);
  }

  private static List<String> keys(JsonNode object) {
    List<String> out = new java.util.ArrayList<>();
    object.fieldNames().forEachRemaining(out::add);
    return out;
  }

  @Test
  void expose_addsExposedPorts_thatPublishAllPublishes_besidesTheImagesOwn() throws Exception {
    lamina.run("import", "--change", "EXPOSE 8443", "--change", "CMD [\"sh\"]",
        rootfs.toString(), "exposing").ok();
    lamina.run("create", "--name", "web", "--network", net, "--expose", "9000",
        "--expose", "7000-7001/udp", "exposing", "true").ok();
    JsonNode created = inspect("web");
    assertEquals(List.of("7000/udp", "7001/udp", "8443/tcp", "9000/tcp"),
        keys(created.get("Config").get("ExposedPorts")), created.toString());
    JsonNode ports = created.get("NetworkSettings").get("Ports");
    assertEquals(List.of("7000/udp", "7001/udp", "8443/tcp", "9000/tcp"), keys(ports));
    assertTrue(ports.get("9000/tcp").isNull(), ports.toString());
    lamina.run("rm", "web").ok();

    // -P publishes --expose's ports on random host ports, but not one -p publishes already.
    int given = freePort();
    lamina.run("run", "-d", "--name", "web", "--network", net, "--expose", "80", "--expose", "81",
        "-p", "127.0.0.1:" + given + ":81", "-P", "busybox",
        "httpd", "-f", "-p", "80", "-h", "/www").ok();
    List<String> published = lamina.run("port", "web").ok().lines();
    assertEquals(2, published.size(), published.toString());
    assertTrue(published.contains("81/tcp -> 127.0.0.1:" + given), published.toString());
    String random = lamina.run("port", "web", "80").ok().out().strip();
    assertTrue(random.startsWith("0.0.0.0:"), random);
    assertTrue(httpGet(Integer.parseInt(random.substring("0.0.0.0:".length())))
        .contains("served by lamina"));
    lamina.run("rm", "-f", "web").ok();

    Cli.Result bad = lamina.run("run", "--rm", "--network", net, "--expose", "80/sctp", "busybox", "true");
    assertEquals(ExitCodes.ERROR, bad.code());
    assertEquals("lamina: invalid --expose '80/sctp': protocol must be tcp or udp\n", bad.err());
    assertEquals(List.of(), lamina.run("ps", "-aq").ok().lines());
  }

  @Test
  void stoppedContainer_showsTheNetworksItJoins_withoutAddresses() throws Exception {
    lamina.run("create", "--name", "web", "--network", net, "--network-alias", "site",
        "busybox", "true").ok();
    JsonNode created = inspect("web").get("NetworkSettings");
    assertEquals(List.of(net), keys(created.get("Networks")), created.toString());
    JsonNode onNet = created.get("Networks").get(net);
    assertEquals("", onNet.get("IPAddress").asText(), onNet.toString());
    assertEquals("", onNet.get("MacAddress").asText(), onNet.toString());
    assertEquals(List.of("web", "site"), Json.mapper().convertValue(onNet.get("Aliases"),
        new com.fasterxml.jackson.core.type.TypeReference<List<String>>() {}));
    assertEquals("", created.get("IPAddress").asText(), created.toString());
    // Running: its address there; exited: again without one.
    lamina.run("start", "web").ok();
    lamina.run("wait", "web").ok();
    JsonNode exited = inspect("web");
    assertEquals("exited", exited.get("State").get("Status").asText());
    assertEquals(List.of(net), keys(exited.get("NetworkSettings").get("Networks")));
    assertEquals("", exited.get("NetworkSettings").get("Networks").get(net).get("IPAddress").asText());
    lamina.run("rm", "web").ok();
    lamina.run("create", "--name", "web", "busybox", "true").ok();
    assertEquals(List.of("lamina"), keys(inspect("web").get("NetworkSettings").get("Networks")));
    lamina.run("rm", "web").ok();
    lamina.run("create", "--name", "web", "--network", "none", "busybox", "true").ok();
    assertEquals(List.of(), keys(inspect("web").get("NetworkSettings").get("Networks")));
  }

  @Test
  void severalNetworks_joinsEach_andModesThatCannotBeCombinedAreRefused() throws Exception {
    String other = secondNetwork();
    try {
      Cli.Result r = lamina.run("run", "--rm", "--network", net, "--network", other + "," + net,
          "busybox", "ip", "-o", "-4", "addr", "show");
      assertEquals(0, r.code(), r.err());
      assertTrue(r.out().contains(" eth0 ") && r.out().contains(" 10.234."), r.out());
      assertTrue(r.out().contains(" eth1 ") && r.out().contains(" " + secondPrefix), r.out());
      assertEquals(3, r.out().lines().count(), r.out());
      lamina.run("create", "--name", "web", "--network", net, "--network", other, "busybox", "true").ok();
      assertEquals(List.of(net, other),
          keys(inspect("web").get("NetworkSettings").get("Networks")));
      lamina.run("rm", "web").ok();
      for (String mode : List.of("none", "host", "container:web", "pasta")) {
        Cli.Result refused = lamina.run("create", "--network", net, "--network", mode, "busybox", "true");
        assertEquals(ExitCodes.ERROR, refused.code(), mode);
        assertEquals("lamina: --network " + mode + " cannot be combined with other networks: only"
            + " bridge networks (bridge or a NAME) can be joined together\n", refused.err());
      }
      Cli.Result ip = lamina.run("create", "--network", net, "--network", other, "--ip",
          "10.234.0.9", "busybox", "true");
      assertEquals(ExitCodes.ERROR, ip.code());
      assertEquals("lamina: --ip can only be given with a single network; 2 networks given\n", ip.err());
      assertEquals(List.of(), lamina.run("ps", "-aq").ok().lines());
    } finally {
      lamina.run("rm", "-f", "web");
      lamina.run("network", "rm", other);
    }
  }

  @Test
  void portInUse_failsInOneLine_andLeavesNoTrace() throws Exception {
    Set<String> links = HostNetwork.links();
    List<String> rules = HostNetwork.rules();
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("127.0.0.1", 0));
      int port = taken.getLocalPort();
      Cli.Result r = lamina.run("run", "--rm", "--network", net, "-p", "127.0.0.1:" + port + ":80",
          "busybox", "true");
      assertEquals(ExitCodes.ERROR, r.code());
      assertEquals(1, r.err().lines().count(), r.err());
      assertTrue(r.err().startsWith("lamina: cannot publish 127.0.0.1:" + port + "/tcp"), r.err());
    }
    assertEquals(List.of(), lamina.run("ps", "-aq").ok().lines());
    assertEquals(links, HostNetwork.links());
    assertEquals(rules, HostNetwork.rules());
  }
}
