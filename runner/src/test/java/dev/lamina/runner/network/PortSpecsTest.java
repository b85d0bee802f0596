package dev.lamina.runner.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** docker's {@code -p} grammar, and the PORTS text docker shows for each form. */
class PortSpecsTest {
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "8080:80|0.0.0.0:8080->80/tcp",
        "127.0.0.1:8080:80|127.0.0.1:8080->80/tcp",
        "127.0.0.1:8080:80/udp|127.0.0.1:8080->80/udp",
        "8080-8081:80-81|0.0.0.0:8080-8081->80-81/tcp",
        "0.0.0.0:53:53/UDP|0.0.0.0:53->53/udp",
      })
  void parse_rendersAsDocker(String spec, String shown) throws NetworkException {
    List<PortMapping> m = PortSpecs.parse(spec);
    assertEquals(1, m.size());
    assertEquals(shown, m.get(0).render());
  }

  @Test
  void parse_missingHostPort_leftForPicking() throws NetworkException {
    assertEquals(List.of(new PortMapping("", 0, 80, "tcp", 1)), PortSpecs.parse("80"));
    assertEquals(List.of(new PortMapping("127.0.0.1", 0, 80, "tcp", 1)), PortSpecs.parse("127.0.0.1::80"));
    assertEquals(
        List.of(new PortMapping("", 0, 80, "udp", 1), new PortMapping("", 0, 81, "udp", 1)),
        PortSpecs.parse("80-81/udp"));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "80/sctp|invalid port spec '80/sctp': protocol must be tcp or udp",
        "x:80|invalid port spec 'x:80': host port 'x' is not a number",
        "8080:0|invalid port spec '8080:0': container port 0 is out of range 1-65535",
        "70000:80|invalid port spec '70000:80': host port 70000 is out of range 1-65535",
        "8080-8082:80-81|invalid port spec '8080-8082:80-81': host and container port ranges differ in length",
        "81-80|invalid port spec '81-80': container port range 81-80 ends before it starts",
        "1.2.3:80:80|invalid port spec '1.2.3:80:80': '1.2.3' is not an IPv4 address",
        "a:b:c:d|invalid port spec 'a:b:c:d': expected [ip:][hostPort:]containerPort[/protocol]",
        "[::1]:80:80|invalid port spec '[::1]:80:80': IPv6 host addresses are not supported",
        "''|invalid port spec '': container port '' is not a number",
      })
  void parse_badSpec_oneLineError(String spec, String message) {
    assertEquals(message, assertThrows(NetworkException.class, () -> PortSpecs.parse(spec)).getMessage());
  }

  @Test
  void parseAll_sameHostPortTwice_refused() {
    NetworkException e =
        assertThrows(NetworkException.class, () -> PortSpecs.parseAll(List.of("8080:80", "8079-8080:90-91")));
    assertEquals("host port 8080/tcp is published twice", e.getMessage());
  }

  @Test
  void parseAll_sameHostPortOtherProtocolOrAddress_allowed() throws NetworkException {
    assertEquals(2, PortSpecs.parseAll(List.of("8080:80", "8080:80/udp")).size());
    assertEquals(2, PortSpecs.parseAll(List.of("127.0.0.1:8080:80", "127.0.0.2:8080:80")).size());
  }

  @Test
  void publishAll_exposedPorts_randomHostPorts() throws NetworkException {
    assertEquals(
        List.of(new PortMapping("", 0, 80, "tcp", 1), new PortMapping("", 0, 53, "udp", 1)),
        PortSpecs.publishAll(List.of("80/tcp", "53/udp"), List.of()));
  }

  @Test
  void publishAll_leavesPortsPublishedWithP_toTheirMapping() throws NetworkException {
    assertEquals(
        List.of(new PortMapping("", 0, 80, "udp", 1), new PortMapping("", 0, 83, "tcp", 1)),
        PortSpecs.publishAll(List.of("80/tcp", "80/udp", "82/tcp", "83/tcp"),
            PortSpecs.parseAll(List.of("127.0.0.1:8080:80", "9081-9082:81-82"))));
  }

  @Test
  void exposed_portsAndRanges_oneKeyAPort_tcpByDefault() throws NetworkException {
    assertEquals(List.of("9000/tcp", "7000/udp", "7001/udp", "53/udp"),
        PortSpecs.exposed(List.of("9000", "7000-7001/udp", "53/UDP", "9000/tcp")));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "abc|invalid --expose 'abc': port 'abc' is not a number",
        "0|invalid --expose '0': port 0 is out of range 1-65535",
        "70000|invalid --expose '70000': port 70000 is out of range 1-65535",
        "80/sctp|invalid --expose '80/sctp': protocol must be tcp or udp",
        "90-85|invalid --expose '90-85': port range 90-85 ends before it starts",
        "8080:80|invalid --expose '8080:80': port '8080:80' is not a number",
      })
  void exposed_badValue_oneLineError(String spec, String message) {
    assertEquals(message,
        assertThrows(NetworkException.class, () -> PortSpecs.exposed(List.of(spec))).getMessage());
  }

  @Test
  void mergeExposed_imageAndFlags_onceEach_sortedAsDocker() {
    assertEquals(List.of("443/tcp", "53/udp", "80/tcp"),
        PortSpecs.mergeExposed(List.of("80", "53/udp"), List.of("80/tcp", "443/tcp")));
  }

  @Test
  void portsColumn_publishedThenExposedOnly() {
    List<PortMapping> published = List.of(new PortMapping("127.0.0.1", 8080, 80, "tcp", 1));
    assertEquals(
        "127.0.0.1:8080->80/tcp, 443/tcp",
        NetworkSettings.portsColumn(published, List.of("80/tcp", "443/tcp")));
  }
}
