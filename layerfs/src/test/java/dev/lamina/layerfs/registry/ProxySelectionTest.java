package dev.lamina.layerfs.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.registry.Proxy.Kind;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProxySelectionTest {
  private static ProxySelection env(String... pairs) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return ProxySelection.fromEnvironment(m);
  }

  private static boolean proxied(String noProxy, String host, int port) {
    return env("NO_PROXY", noProxy).proxied(host, port);
  }

  @Test
  void httpsAndHttp_eachTheirOwnVariable_upperCaseFirst() throws IOException {
    ProxySelection s = env("HTTPS_PROXY", "http://upper:3128", "https_proxy", "http://lower:1",
        "http_proxy", "plain.example:8080");
    assertEquals(new Proxy(Kind.HTTP, "upper", 3128, null, null),
        s.proxyFor("https", "reg.example", 443).orElseThrow());
    assertEquals(new Proxy(Kind.HTTP, "plain.example", 8080, null, null),
        s.proxyFor("http", "reg.example", 80).orElseThrow());
    ProxySelection onlyHttp = env("HTTP_PROXY", "http://p:3128");
    assertEquals(Optional.empty(), onlyHttp.proxyFor("https", "reg.example", 443));
    assertEquals(Optional.empty(), ProxySelection.NONE.proxyFor("http", "reg.example", 80));
    ProxySelection lowerOnly = env("HTTPS_PROXY", "", "https_proxy", "http://lower:1");
    assertEquals("lower", lowerOnly.proxyFor("https", "r", 443).orElseThrow().host());
  }

  @Test
  void proxyUrl_defaultPort_credentials_andAPasswordFreeName() throws IOException {
    Proxy p = Proxy.parse("http://al%40ice:s%3Acret@proxy.example", "HTTPS_PROXY");
    assertEquals(80, p.port());
    assertEquals("al@ice", p.user());
    assertEquals("s:cret", p.password());
    assertEquals("Basic YWxAaWNlOnM6Y3JldA==", p.authorization());
    assertFalse(p.toString().contains("cret"), p.toString());
    assertEquals("http://al@ice@proxy.example:80", p.toString());
    assertNull(Proxy.parse("proxy:3128", "HTTP_PROXY").authorization());
    assertEquals("::1", Proxy.parse("http://[::1]:3128", "HTTP_PROXY").host());
  }

  @Test
  void httpsAndSocksProxies_withTheirDefaultPorts_asGoHasThem() throws IOException {
    ProxySelection s = env("HTTPS_PROXY", "https://alice:s3cret@proxy.example",
        "HTTP_PROXY", "socks5h://[2001:db8::1]");
    Proxy https = s.proxyFor("https", "reg.example", 443).orElseThrow();
    assertEquals(new Proxy(Kind.HTTPS, "proxy.example", 443, "alice", "s3cret"), https);
    assertTrue(https.tls());
    assertFalse(https.socks());
    assertEquals("Basic YWxpY2U6czNjcmV0", https.authorization());
    assertEquals("https://alice@proxy.example:443", https.toString());
    assertEquals(new Proxy(Kind.SOCKS5H, "2001:db8::1", 1080, null, null),
        s.proxyFor("http", "reg.example", 80).orElseThrow());
    Proxy socks = Proxy.parse("SOCKS5://bob:pw@10.0.0.1:9050", "HTTPS_PROXY");
    assertEquals(new Proxy(Kind.SOCKS5, "10.0.0.1", 9050, "bob", "pw"), socks);
    assertTrue(socks.socks());
    assertFalse(socks.tls());
    // SOCKS credentials go in the SOCKS handshake, never in an HTTP header.
    assertNull(socks.authorization());
    assertEquals("socks5://bob@10.0.0.1:9050", socks.toString());
  }

  @Test
  void otherProxySchemes_areRefusedClearly() {
    IOException e = assertThrows(IOException.class,
        () -> env("HTTPS_PROXY", "socks4://p:1080").proxyFor("https", "reg.example", 443));
    assertTrue(e.getMessage().contains("socks4:// proxies are not supported (HTTPS_PROXY)"),
        e.getMessage());
    assertThrows(IOException.class,
        () -> env("HTTP_PROXY", "ftp://p:21").proxyFor("http", "reg.example", 80));
  }

  @Test
  void socksReplyCodes_readAsRfc1928Names() {
    assertEquals("connection not allowed by ruleset", SocksTunnel.replyMessage(2));
    assertEquals("host unreachable", SocksTunnel.replyMessage(4));
    assertEquals("address type not supported", SocksTunnel.replyMessage(8));
    assertEquals("unknown reply", SocksTunnel.replyMessage(42));
  }

  @Test
  void loopback_isNeverProxied() {
    ProxySelection s = env("HTTP_PROXY", "http://p:3128");
    assertFalse(s.proxied("localhost", 5000));
    assertFalse(s.proxied("127.0.0.1", 5000));
    assertFalse(s.proxied("127.4.5.6", 5000));
    assertFalse(s.proxied("[::1]", 5000));
    assertTrue(s.proxied("10.0.0.1", 5000));
    assertTrue(s.proxied("localhost.example", 5000));
  }

  @Test
  void noProxy_star_bypassesEverything() {
    assertFalse(proxied("*", "reg.example", 443));
    assertFalse(proxied(" foo.com , * ", "10.1.1.1", 443));
  }

  @Test
  void noProxy_domains_matchTheNameAndSubdomains_aLeadingDotSubdomainsOnly() {
    assertFalse(proxied("foo.com", "foo.com", 443));
    assertFalse(proxied("foo.com", "bar.foo.com", 443));
    assertFalse(proxied("FOO.com", "a.b.foo.com", 443));
    assertTrue(proxied("foo.com", "barfoo.com", 443));
    assertTrue(proxied("foo.com", "foo.com.evil", 443));
    assertFalse(proxied(".y.com", "x.y.com", 443));
    assertTrue(proxied(".y.com", "y.com", 443));
    assertFalse(proxied("*.y.com", "x.y.com", 443));
    assertFalse(proxied("other.org, foo.com", "foo.com.", 443));
  }

  @Test
  void noProxy_hostAndPort_matchThatPortOnly() {
    assertFalse(proxied("reg.example:5000", "reg.example", 5000));
    assertTrue(proxied("reg.example:5000", "reg.example", 443));
    assertFalse(proxied("10.0.0.1:5000", "10.0.0.1", 5000));
    assertTrue(proxied("10.0.0.1:5000", "10.0.0.1", 5001));
    assertFalse(proxied("[2001:db8::1]:443", "[2001:db8::1]", 443));
  }

  @Test
  void noProxy_addressesAndCidrRanges() {
    assertFalse(proxied("10.0.0.1", "10.0.0.1", 443));
    assertTrue(proxied("10.0.0.1", "10.0.0.2", 443));
    assertFalse(proxied("10.0.0.0/8", "10.200.3.4", 443));
    assertTrue(proxied("10.0.0.0/8", "11.0.0.1", 443));
    assertFalse(proxied("192.168.1.0/24", "192.168.1.77", 443));
    assertTrue(proxied("192.168.1.0/24", "192.168.2.1", 443));
    assertFalse(proxied("2001:db8::/32", "[2001:db8:1::5]", 443));
    assertTrue(proxied("2001:db8::/32", "10.0.0.1", 443));
    assertFalse(proxied("0.0.0.0/0", "8.8.8.8", 443));
    // An address entry is no domain: it does not match names ending in it.
    assertTrue(proxied("10.0.0.1", "x.10.0.0.1", 443));
    assertTrue(proxied("", "reg.example", 443));
  }
}
