package dev.lamina.layerfs.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.registry.ForwardProxy.Forwarded;
import dev.lamina.layerfs.store.Images;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.store.TestImages;
import dev.lamina.layerfs.testing.Requirements;
import dev.lamina.layerfs.transport.ImageLocation;
import dev.lamina.layerfs.transport.ImageTransports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Push and pull through a forward proxy, to docker-registry on a private address of this host
 * (loopback is never proxied, so the registry needs another address): on a dummy interface, or,
 * where the kernel has no dummy interfaces, on {@code lo}.
 */
class ProxyTest {
  private static String device;
  private static boolean dummy;
  private static String address;

  @TempDir Path work;
  private final List<AutoCloseable> open = new ArrayList<>();

  @BeforeAll
  static void addAddress() throws Exception {
    Requirements.root();
    Requirements.tool("ip");
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String name = "lamproxy" + r.nextInt(1000, 10000);
    address = "10.251." + r.nextInt(1, 255) + "." + r.nextInt(1, 255);
    try {
      ip("link", "add", name, "type", "dummy");
      dummy = true;
      device = name;
      ip("link", "set", name, "up");
    } catch (IllegalStateException noDummyModule) {
      device = "lo";
    }
    ip("addr", "add", address + "/32", "dev", device);
  }

  @AfterAll
  static void removeAddress() throws Exception {
    if (dummy) {
      ip("link", "del", device);
    } else if (device != null) {
      ip("addr", "del", address + "/32", "dev", device);
    }
  }

  private static void ip(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Requirements.tool("ip").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
    }
  }

  @AfterEach
  void stop() throws Exception {
    Collections.reverse(open);
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private RegistryServer registry(String user, String password, boolean tls) throws Exception {
    RegistryServer r = RegistryServer.startOn(Files.createTempDirectory(work, "registry"),
        address, user, password, tls);
    open.add(r);
    return r;
  }

  private ForwardProxy proxy() throws Exception {
    ForwardProxy p = new ForwardProxy("alice", "proxy-secret");
    open.add(p);
    return p;
  }

  private static RegistryOptions.Builder through(Map<String, String> env) {
    return RegistryOptions.builder().tlsVerify(false).proxies(ProxySelection.fromEnvironment(env));
  }

  /** Pushes an image to {@code name} on {@code reg} and pulls it into a new store. */
  private void pushAndPull(RegistryServer reg, String name, RegistryOptions o) throws Exception {
    Store a = Store.open(work.resolve("a-" + name.replace('/', '_')));
    Path layer = TestImages.gnuTarLayer(work, "etc/hello", "hello through a proxy\n");
    Images.ResolvedImage img = TestImages.imageOf(a, List.of(layer), false, "hello");
    ImageLocation at = ImageLocation.parse("docker://" + reg.address() + "/" + name);
    ImageTransports.save(a, List.of("hello"), at, o);
    Store b = Store.open(work.resolve("b-" + name.replace('/', '_')));
    assertEquals(img.digest(), ImageTransports.load(b, at, List.of(), o).get(0).digest());
    assertTrue(b.check().run().isClean());
  }

  @Test
  void plainHttpRegistry_requestsGoToTheProxyInAbsoluteForm_withEachSideItsCredentials()
      throws Exception {
    RegistryServer reg = registry("bob", "registry-secret", false);
    ForwardProxy proxy = proxy();
    String url = proxy.url("proxy-secret");
    pushAndPull(reg, "p/hello:1", through(Map.of("HTTP_PROXY", url, "HTTPS_PROXY", url))
        .credentials(new Credentials("bob", "registry-secret")).build());

    assertEquals(List.of(), proxy.refused);
    List<Forwarded> plain = proxy.forwarded.stream()
        .filter(f -> !f.method().equals("CONNECT")).toList();
    for (Forwarded f : plain) {
      assertTrue(f.target().startsWith("http://" + reg.address() + "/v2/"), f.target());
    }
    List<String> methods = plain.stream().map(Forwarded::method).distinct().toList();
    assertTrue(methods.containsAll(List.of("GET", "PUT", "POST")), methods.toString());
    // The registry's credentials reached the registry, and were never the proxy's.
    String registryBasic = "Basic " + new Credentials("bob", "registry-secret").basic();
    assertTrue(plain.stream().anyMatch(f -> registryBasic.equals(f.authorization())));
  }

  @Test
  void httpsRegistry_isReachedThroughAConnectTunnel() throws Exception {
    RegistryServer reg = registry(null, null, true);
    ForwardProxy proxy = proxy();
    pushAndPull(reg, "t/hello:1",
        through(Map.of("https_proxy", proxy.url("proxy-secret"))).build());

    assertEquals(List.of(), proxy.refused);
    assertFalse(proxy.forwarded.isEmpty());
    for (Forwarded f : proxy.forwarded) {
      assertEquals(new Forwarded("CONNECT", reg.address(), null), f);
    }
  }

  @Test
  void noProxy_bypassesTheProxy() throws Exception {
    RegistryServer reg = registry(null, null, false);
    ForwardProxy proxy = proxy();
    String url = proxy.url("proxy-secret");
    pushAndPull(reg, "n/hello:1", through(
        Map.of("HTTP_PROXY", url, "HTTPS_PROXY", url, "NO_PROXY", "example.com,10.251.0.0/16"))
        .build());
    pushAndPull(reg, "m/hello:1", through(
        Map.of("HTTP_PROXY", url, "HTTPS_PROXY", url, "no_proxy", reg.address())).build());
    assertEquals(List.of(), proxy.forwarded);
    assertEquals(List.of(), proxy.refused);
  }

  @Test
  void refusedConnect_namesTheProxy_withoutItsPassword() throws Exception {
    RegistryServer reg = registry(null, null, true);
    ForwardProxy proxy = proxy();
    Store a = Store.open(work.resolve("a"));
    Path layer = TestImages.gnuTarLayer(work, "etc/hello", "hello\n");
    TestImages.imageOf(a, List.of(layer), false, "hello");
    RegistryOptions wrong = RegistryOptions.builder()
        .proxies(ProxySelection.fromEnvironment(Map.of("HTTPS_PROXY", proxy.url("wrong-pw"))))
        .build();
    Exception e = assertThrows(Exception.class, () -> ImageTransports.save(a, List.of("hello"),
        ImageLocation.parse("docker://" + reg.address() + "/w/hello:1"), wrong));
    StringBuilder messages = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      messages.append(t.getMessage()).append('\n');
    }
    String m = messages.toString();
    assertTrue(m.contains("proxy " + proxy.url("x").replace(":x@", "@")
        + " refused CONNECT " + reg.address() + ": 407"), m);
    assertFalse(m.contains("wrong-pw"), m);
    assertEquals(1, proxy.refused.size());
    assertEquals(List.of(), proxy.forwarded);
  }

  @Test
  void refusedPlainRequest_namesTheProxy_ratherThanPassingForTheRegistry() throws Exception {
    RegistryServer reg = registry(null, null, false);
    ForwardProxy proxy = proxy();
    RegistryOptions wrong = through(Map.of("HTTP_PROXY", proxy.url("wrong-pw"))).build();
    Exception e = assertThrows(Exception.class, () -> ImageTransports.load(
        Store.open(work.resolve("b")), ImageLocation.parse("docker://" + reg.address()
            + "/w/hello:1"), List.of(), wrong));
    assertTrue(e.getMessage().contains("proxy " + proxy.url("x").replace(":x@", "@")
        + " refused GET http://" + reg.address() + "/v2/: 407"), e.getMessage());
    assertFalse(e.getMessage().contains("wrong-pw"), e.getMessage());
    assertEquals(List.of(), proxy.forwarded);
  }

  private SocksProxy socks(String user, String password, Map<String, String> names)
      throws Exception {
    SocksProxy p = new SocksProxy(user, password, names);
    open.add(p);
    return p;
  }

  private ForwardProxy httpsProxy() throws Exception {
    ForwardProxy p = ForwardProxy.overTls("alice", "proxy-secret",
        Files.createTempDirectory(work, "proxy-tls"));
    open.add(p);
    return p;
  }

  /** The messages of a failure and its causes, one a line. */
  private static String messages(Throwable e) {
    StringBuilder m = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      m.append(t.getMessage()).append('\n');
    }
    return m.toString();
  }

  /** The request lines of the registry's access log. */
  private static List<String> requestLines(RegistryServer reg) throws Exception {
    return reg.log().lines().filter(l -> l.contains(" HTTP/1.1\" "))
        .map(l -> l.substring(l.indexOf('"') + 1, l.indexOf(" HTTP/1.1\" "))).toList();
  }

  @Test
  void socks5_plainHttpRegistry_requestsInOriginFormThroughPooledTunnels() throws Exception {
    RegistryServer reg = registry("bob", "registry-secret", false);
    SocksProxy socks = socks("alice", "proxy-secret", Map.of());
    pushAndPull(reg, "s/hello:1", through(Map.of("HTTP_PROXY",
        socks.url("socks5", "proxy-secret"))).credentials(
            new Credentials("bob", "registry-secret")).build());

    assertEquals(List.of(), socks.refused);
    assertFalse(socks.connects.isEmpty());
    for (String c : socks.connects) {
      assertEquals("ipv4 " + reg.address(), c); // an address literal is sent as an address
    }
    List<String> requests = requestLines(reg);
    for (String r : requests) {
      assertTrue(r.matches("[A-Z]+ /v2/.*"), r); // origin form: the proxy is no HTTP proxy
    }
    // Tunnels are kept and reused, as direct connections are.
    assertTrue(socks.connects.size() < requests.size(),
        socks.connects.size() + " tunnels for " + requests.size() + " requests");
  }

  @Test
  void socks5h_httpsRegistry_nameResolvedByTheProxy_tlsInsideTheTunnel() throws Exception {
    RegistryServer reg = registry(null, null, true);
    // A name only the proxy knows: reaching the registry proves the name went unresolved.
    SocksProxy socks = socks(null, null, Map.of("registry.lamina.invalid", address));
    String name = "registry.lamina.invalid:" + reg.port();
    Store a = Store.open(work.resolve("a"));
    Path layer = TestImages.gnuTarLayer(work, "etc/hello", "hello through socks\n");
    Images.ResolvedImage img = TestImages.imageOf(a, List.of(layer), false, "hello");
    ImageLocation at = ImageLocation.parse("docker://" + name + "/h/hello:1");
    RegistryOptions o = through(Map.of("https_proxy", socks.url("socks5h", null))).build();
    ImageTransports.save(a, List.of("hello"), at, o);
    Store b = Store.open(work.resolve("b"));
    assertEquals(img.digest(), ImageTransports.load(b, at, List.of(), o).get(0).digest());

    assertFalse(socks.connects.isEmpty());
    for (String c : socks.connects) {
      assertEquals("name " + name, c);
    }
  }

  @Test
  void socks5_wrongPassword_isRefusedClearly_withoutThePassword() throws Exception {
    RegistryServer reg = registry(null, null, false);
    SocksProxy socks = socks("alice", "proxy-secret", Map.of());
    RegistryOptions wrong = through(Map.of("HTTP_PROXY", socks.url("socks5", "wrong-pw")))
        .build();
    Exception e = assertThrows(Exception.class, () -> ImageTransports.load(
        Store.open(work.resolve("b")), ImageLocation.parse("docker://" + reg.address()
            + "/w/hello:1"), List.of(), wrong));
    String m = messages(e);
    assertTrue(m.contains("proxy " + socks.url("socks5", "x").replace(":x@", "@")
        + " refused the user name and password in its URL"), m);
    assertFalse(m.contains("wrong-pw"), m);
    assertEquals(List.of("user alice"), socks.refused.stream().distinct().toList());
    assertEquals(List.of(), socks.connects);
  }

  @Test
  void socks5_proxyNeedingCredentialsTheUrlLacks_isRefusedClearly() throws Exception {
    RegistryServer reg = registry(null, null, false);
    SocksProxy socks = socks("alice", "proxy-secret", Map.of());
    RegistryOptions none = through(Map.of("HTTP_PROXY", socks.url("socks5", null))).build();
    Exception e = assertThrows(Exception.class, () -> ImageTransports.load(
        Store.open(work.resolve("b")), ImageLocation.parse("docker://" + reg.address()
            + "/w/hello:1"), List.of(), none));
    assertTrue(messages(e).contains("proxy " + socks.url("socks5", null)
        + " accepts none of the authentication methods offered"), messages(e));
    assertEquals(List.of(), socks.connects);
  }

  @Test
  void socks5_failedConnect_namesTheReplyCode() throws Exception {
    SocksProxy socks = socks(null, null, Map.of());
    int closedPort = RegistryServer.freePort();
    RegistryOptions o = through(Map.of("HTTP_PROXY", socks.url("socks5", null),
        "HTTPS_PROXY", socks.url("socks5", null))).build();
    Exception e = assertThrows(Exception.class, () -> ImageTransports.load(
        Store.open(work.resolve("b")), ImageLocation.parse("docker://" + address + ":"
            + closedPort + "/w/hello:1"), List.of(), o));
    assertTrue(messages(e).contains("proxy " + socks.url("socks5", null) + " could not connect to "
        + address + ":" + closedPort + ": connection refused (SOCKS5 reply 5)"), messages(e));
  }

  @Test
  void httpsProxy_httpsRegistry_connectInsideTlsToTheProxy() throws Exception {
    RegistryServer reg = registry(null, null, true);
    ForwardProxy proxy = httpsProxy();
    assertTrue(proxy.url("proxy-secret").startsWith("https://"));
    pushAndPull(reg, "t/hello:1",
        through(Map.of("HTTPS_PROXY", proxy.url("proxy-secret"))).build());

    assertEquals(List.of(), proxy.refused);
    assertFalse(proxy.forwarded.isEmpty());
    for (Forwarded f : proxy.forwarded) {
      assertEquals(new Forwarded("CONNECT", reg.address(), null), f);
    }
  }

  @Test
  void httpsProxy_plainHttpRegistry_absoluteFormInsideTlsToTheProxy() throws Exception {
    RegistryServer reg = registry("bob", "registry-secret", false);
    ForwardProxy proxy = httpsProxy();
    String url = proxy.url("proxy-secret");
    pushAndPull(reg, "p/hello:1", through(Map.of("HTTP_PROXY", url, "HTTPS_PROXY", url))
        .credentials(new Credentials("bob", "registry-secret")).build());

    assertEquals(List.of(), proxy.refused);
    List<Forwarded> plain = proxy.forwarded.stream()
        .filter(f -> !f.method().equals("CONNECT")).toList();
    assertFalse(plain.isEmpty());
    for (Forwarded f : plain) {
      assertTrue(f.target().startsWith("http://" + reg.address() + "/v2/"), f.target());
    }
  }

  @Test
  void httpsProxy_certificateIsVerified_unlessTlsVerifyIsOff() throws Exception {
    RegistryServer reg = registry(null, null, true);
    ForwardProxy proxy = httpsProxy();
    RegistryOptions verifying = RegistryOptions.builder().proxies(ProxySelection.fromEnvironment(
        Map.of("HTTPS_PROXY", proxy.url("proxy-secret")))).build();
    Exception e = assertThrows(Exception.class, () -> ImageTransports.load(
        Store.open(work.resolve("b")), ImageLocation.parse("docker://" + reg.address()
            + "/v/hello:1"), List.of(), verifying));
    String m = messages(e);
    assertTrue(m.contains("TLS to proxy " + proxy.url("x").replace(":x@", "@") + " failed"), m);
    assertFalse(m.contains("proxy-secret"), m);
    // Nothing, not even the proxy's credentials, went to an unverified proxy.
    assertEquals(List.of(), proxy.forwarded);
    assertEquals(List.of(), proxy.refused);
  }
}
