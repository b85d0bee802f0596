package dev.lamina.builder.exec;

import static dev.lamina.runner.testing.HostNetwork.links;
import static dev.lamina.runner.testing.HostNetwork.rules;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.store.Images.ImageDetails;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.testing.ChildJvm;
import dev.lamina.layerfs.testing.Requirements;
import dev.lamina.runner.network.HostRoutes;
import dev.lamina.runner.network.Netavark;
import dev.lamina.runner.network.NetavarkNotFoundException;
import dev.lamina.runner.network.NetworkDefaults;
import dev.lamina.runner.testing.TestNetworks;
import dev.lamina.runner.network.NetworkDefinition;
import dev.lamina.runner.network.NetworkNamespace;
import dev.lamina.runner.network.NetworkRequest;
import dev.lamina.runner.network.NetworkStatus;
import dev.lamina.runner.network.NetworkUsers;
import dev.lamina.runner.network.Networks;
import dev.lamina.runner.network.Subnet;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RUN steps' network modes with real netavark, on a default network of the test's own (its own
 * bridge and subnet): traffic goes only to that network's gateway address, where the test
 * listens. Nothing may be left after a build that succeeds, fails or is killed: the host's links,
 * netavark's firewall rules, the address leases and pinned namespaces are compared before and
 * after, as in the runner's NetavarkNetworkingTest.
 */
class BuildNetworkTest {

  @TempDir Path tmp;

  String tag;
  NetworkDefaults defaults;
  Store store;
  Set<String> linksBefore;
  List<String> rulesBefore;
  final List<Process> children = new ArrayList<>();
  final AtomicInteger rootfsCount = new AtomicInteger();

  @BeforeEach
  void setUp() throws Exception {
    Requirements.root();
    Requirements.tool("runc");
    Requirements.require(hasNetavark(), "netavark (apt-get install netavark)");
    Requirements.tool("iptables-save");
    Requirements.tool("ip");
    tag = "lb" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    int third = ThreadLocalRandom.current().nextInt(0, 256);
    defaults = TestNetworks.isolated(tag, "10.232." + third + ".0/24", tmp.resolve("networks"));
    store = Store.open(tmp.resolve("store"));
    Path base = BusyboxBase.context(tmp);
    Builder.build(store, options(base, Files.readString(base.resolve("Containerfile")), "busybox"),
        Progress.quiet());
    linksBefore = links();
    rulesBefore = rules();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Process p : children) {
      p.destroyForcibly();
      p.waitFor(30, TimeUnit.SECONDS);
    }
    if (store != null) {
      Workspace.removeStale(store);
    }
    OverlayMount.unmountAllUnder(tmp);
  }

  private static boolean hasNetavark() {
    try {
      Netavark.locate();
      return true;
    } catch (NetavarkNotFoundException e) {
      return false;
    }
  }

  private BuildOptions options(Path context, String recipe, String tag) {
    return BuildOptions.builder(context).recipeText(recipe).tag(tag).networkDefaults(defaults)
        .build();
  }

  @Test
  void runSteps_getTheBuildsSandbox_anEmptyNamespace_orTheHosts_asAsked() throws Exception {
    // A holder on the same network keeps its bridge, and so the gateway address, up while the
    // test listens there: the only place a step's traffic goes.
    Networks holder = Networks.open(tmp.resolve("holder"), NetworkUsers.NONE, defaults);
    Path holderNs = NetworkNamespace.create(holder.namespacePath("holder"));
    try {
      NetworkStatus held = holder.attach("holder", holderNs, NetworkRequest.defaults("holder"));
      String gateway = held.primary().orElseThrow().gateway();
      assertNotNull(gateway);
      try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getByName(gateway));
          Greeter greeter = new Greeter(server)) {
        Path ctx = Files.createDirectories(tmp.resolve("ctx"));
        String recipe = String.join("\n",
            "FROM busybox",
            "RUN cat /proc/net/dev > /default-dev && ip -o -4 addr > /default-addr"
                + " && nc " + gateway + " " + server.getLocalPort() + " < /dev/null > /greeting",
            "RUN ip -o -4 addr > /default-addr-2",
            "RUN --network=none cat /proc/net/dev > /none-dev",
            "RUN --network=host cat /proc/net/dev > /host-dev",
            "");
        Builder.build(store, options(ctx, recipe, "net"), Progress.quiet());
        assertEquals(1, greeter.served(), "the step reached the gateway's listener");

        Path rootfs = rootfs(store.images().inspect("net"));
        assertEquals("hello from the gateway\n", Files.readString(rootfs.resolve("greeting")));
        assertEquals(Set.of("lo", "eth0"), interfaces(rootfs.resolve("default-dev")));
        String addr = Files.readString(rootfs.resolve("default-addr"));
        NetworkDefinition net = holder.registry().inspect(tag);
        String eth0 = addr.lines().filter(l -> l.contains("eth0")).findFirst().orElseThrow();
        String address = eth0.replaceAll(".* inet ([0-9.]+)/.*", "$1");
        assertTrue(net.subnet().contains(dev.lamina.runner.network.Ipv4.parse(address)), addr);
        assertFalse(address.equals(held.primary().get().address()));
        assertEquals(addr, Files.readString(rootfs.resolve("default-addr-2")),
            "the build's default-network steps share one namespace");
        assertEquals(Set.of("lo"), interfaces(rootfs.resolve("none-dev")));
        Set<String> host = interfaces(rootfs.resolve("host-dev"));
        assertTrue(host.contains(tag + "0"), "the host's namespace holds the test bridge: " + host);
      }
      assertEquals(1, holder.addresses().leases(tag).size(), "only the holder's lease is left");
    } finally {
      holder.detach("holder", holderNs);
      NetworkNamespace.remove(holderNs);
    }
    assertNothingLeft();
  }

  @Test
  void buildNetworkNone_isEveryStepsDefault_andARunFlagOverridesIt() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    String recipe = String.join("\n",
        "FROM busybox",
        "RUN cat /proc/net/dev > /plain-dev",
        "RUN --network=default cat /proc/net/dev > /default-dev",
        "RUN --network=host cat /proc/net/dev > /host-dev",
        "");
    Builder.build(store, BuildOptions.builder(ctx).recipeText(recipe).tag("none")
        .networkDefaults(defaults).network(RunNetwork.NONE).build(), Progress.quiet());
    Path rootfs = rootfs(store.images().inspect("none"));
    assertEquals(Set.of("lo"), interfaces(rootfs.resolve("plain-dev")));
    assertEquals(Set.of("lo"), interfaces(rootfs.resolve("default-dev")),
        "default means the build's mode, as in BuildKit");
    assertTrue(interfaces(rootfs.resolve("host-dev")).size() > 1);
    assertFalse(defaultNetworkMade(), "no step needed the bridge network: it was not set up");
    assertNothingLeft();
  }

  @Test
  void aFailedBuild_leavesNoNetworkBehind() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    String recipe = String.join("\n",
        "FROM busybox",
        "RUN ip -o link > /links",
        "RUN ip -o link && false",
        "");
    BuildException e = assertThrows(BuildException.class,
        () -> Builder.build(store, options(ctx, recipe, "failed"), Progress.quiet()));
    assertTrue(e.getMessage().contains("exit code: 1"), e.getMessage());
    assertTrue(defaultNetworkMade(), "the build did set up its network");
    assertNothingLeft();
  }

  @Test
  void aBuildKilledWithSigkill_leavesNothingOnceTheStoreIsOpenedAgain() throws Exception {
    Path ctx = Files.createDirectories(tmp.resolve("ctx"));
    Process child = ChildJvm.of(KilledBuild.class, store.root().toString(), ctx.toString(), tag,
            defaults.preferredSubnet().toString(), tmp.resolve("networks").toString())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    children.add(child);
    Path work = store.cacheDir().resolve("work");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (attachments(work).isEmpty() || !stepRunning(child)) {
      assertTrue(child.isAlive(), "the build ended before it was killed");
      assertTrue(System.nanoTime() < deadline, "the build never set up its network");
      Thread.sleep(100);
    }
    child.destroyForcibly();
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    assertFalse(links().equals(linksBefore), "the killed build left its veth and bridge");

    Workspace.removeStale(store);
    assertNothingLeft();
  }

  /** Whether the killed build's step has started: its container is listed by runc. */
  private boolean stepRunning(Process child) throws Exception {
    Path state = store.root().resolve("runtime");
    try (Stream<Path> s = Files.exists(state) ? Files.walk(state) : Stream.empty()) {
      return s.anyMatch(p -> p.getFileName().toString().equals("state.json"));
    }
  }

  private static List<Path> attachments(Path work) throws IOException {
    if (!Files.isDirectory(work)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(work)) {
      return s.filter(p -> p.toString().contains("/network/attachments/")).toList();
    }
  }

  /** A build in another JVM: {@code ROOT CONTEXT TAG SUBNET}, whose step runs until killed. */
  public static final class KilledBuild {
    public static void main(String[] args) throws Exception {
      NetworkDefaults d = TestNetworks.isolated(args[2], args[3], Path.of(args[4]));
      Builder.build(Store.open(Path.of(args[0])), BuildOptions.builder(Path.of(args[1]))
          .recipeText("FROM busybox\nRUN sleep 600\n").networkDefaults(d).build(),
          Progress.quiet());
    }
  }

  /** Whether netavark was ever run for the build: its state directory is made on first use. */
  private boolean defaultNetworkMade() {
    return Files.isDirectory(defaults.directories().netavarkState());
  }

  /** No veth or bridge, no firewall rule, no lease, no pinned namespace, no workspace. */
  private void assertNothingLeft() throws Exception {
    Networks networks =
        Networks.open(tmp.resolve("probe"), NetworkUsers.NONE, defaults);
    for (NetworkDefinition n : networks.registry().list()) {
      assertEquals(Map.of(), networks.addresses().leases(n.name()), n.name());
    }
    assertEquals(linksBefore, links());
    assertEquals(rulesBefore, rules());
    String root = tmp.toAbsolutePath().toString();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      String[] f = line.split(" ");
      assertFalse(f[4].startsWith(root) && line.contains(" - nsfs "), line);
    }
    Path work = store.cacheDir().resolve("work");
    try (Stream<Path> s = Files.list(work)) {
      assertEquals(List.of(), s.filter(Files::isDirectory).toList());
    }
  }

  private static Set<String> interfaces(Path procNetDev) throws IOException {
    return Files.readAllLines(procNetDev).stream()
        .filter(l -> l.contains(":"))
        .map(l -> l.substring(0, l.indexOf(':')).strip())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private Path rootfs(ImageDetails image) throws IOException {
    Path root = Files.createDirectories(tmp.resolve("rootfs-" + rootfsCount.incrementAndGet()));
    for (int i = 0; i < image.manifest().layers().size(); i++) {
      ExtractedLayers.of(store)
          .applyOnto(image.manifest().layers().get(i), image.config().diffIds().get(i), root);
    }
    return root;
  }

  /** Answers each connection on {@code server} with one line, counting them. */
  private static final class Greeter implements AutoCloseable {
    private final ServerSocket server;
    private final AtomicInteger served = new AtomicInteger();
    private final Thread thread;

    Greeter(ServerSocket server) {
      this.server = server;
      this.thread = new Thread(this::serve, "greeter");
      thread.setDaemon(true);
      thread.start();
    }

    private void serve() {
      while (!server.isClosed()) {
        try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
          out.write("hello from the gateway\n".getBytes(StandardCharsets.US_ASCII));
          served.incrementAndGet();
        } catch (IOException e) {
          return;
        }
      }
    }

    int served() {
      return served.get();
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
