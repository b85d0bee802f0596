package dev.lamina.layerfs.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS material from certs.d directories, against a real registry that asks for a client. */
class CertsDirsTest {
  @TempDir Path tmp;

  private void openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Requirements.tool("openssl").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(tmp.resolve("openssl.log").toFile()).start();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("openssl failed: " + Files.readString(
          tmp.resolve("openssl.log")));
    }
  }

  /** A CA, and a client certificate it signed with its key in {@code keyFormat}. */
  private Path clientCertificate(Path dir, boolean pkcs1) throws Exception {
    Files.createDirectories(dir);
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=test ca",
        "-keyout", tmp.resolve("ca.key").toString(), "-out", tmp.resolve("ca.pem").toString());
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=client", "-keyout",
        tmp.resolve("client8.key").toString(), "-out", tmp.resolve("client.csr").toString());
    openssl("x509", "-req", "-in", tmp.resolve("client.csr").toString(), "-CA",
        tmp.resolve("ca.pem").toString(), "-CAkey", tmp.resolve("ca.key").toString(),
        "-CAcreateserial", "-days", "2", "-out", dir.resolve("client.cert").toString());
    if (pkcs1) {
      openssl("rsa", "-in", tmp.resolve("client8.key").toString(), "-traditional", "-out",
          dir.resolve("client.key").toString());
      assertTrue(Files.readString(dir.resolve("client.key")).contains("BEGIN RSA PRIVATE KEY"));
    } else {
      Files.copy(tmp.resolve("client8.key"), dir.resolve("client.key"));
    }
    return tmp.resolve("ca.pem");
  }

  @Test
  void read_authoritiesAndAClientKeyInEitherFormat() throws Exception {
    for (boolean pkcs1 : new boolean[] {false, true}) {
      Path dir = tmp.resolve("d" + pkcs1);
      Path ca = clientCertificate(dir, pkcs1);
      Files.copy(ca, dir.resolve("ca.crt"));
      CertsDirs.Material m = CertsDirs.read(dir);
      assertEquals(1, m.authorities().size());
      assertNotNull(m.key());
      assertEquals("RSA", m.key().getAlgorithm());
      assertEquals(1, m.chain().size());
    }
    Path lonely = Files.createDirectories(tmp.resolve("lonely"));
    Files.copy(tmp.resolve("dtrue/client.cert"), lonely.resolve("client.cert"));
    IOException e = assertThrows(IOException.class, () -> CertsDirs.read(lonely));
    assertTrue(e.getMessage().contains("has no key"), e.getMessage());
  }

  @Test
  void candidates_certDirAlone_elseTheUsersThenEtc() {
    assertEquals(List.of(tmp.resolve("c/r.io:5000")),
        CertsDirs.candidates(tmp.resolve("c"), "r.io:5000", tmp));
    assertEquals(List.of(tmp.resolve(".config/containers/certs.d/r.io"),
            Path.of("/etc/containers/certs.d/r.io"), Path.of("/etc/docker/certs.d/r.io")),
        CertsDirs.candidates(null, "r.io", tmp));
  }

  @Test
  void registryAskingForAClient_isReachedWithTheCertsDirCertificate() throws Exception {
    Path certs = tmp.resolve("certs");
    Path clientDir = tmp.resolve("client");
    Path ca = clientCertificate(clientDir, true);
    Path serverDir = tmp.resolve("server");
    try (RegistryServer registry = RegistryServer.startTlsWithClientCa(serverDir, ca)) {
      Path mine = Files.createDirectories(certs.resolve(registry.address()));
      Files.copy(serverDir.resolve("cert.pem"), mine.resolve("ca.crt"));
      RegistryOptions noClient = RegistryOptions.builder().certDir(certs).build();
      assertThrows(IOException.class, () -> RegistryClient.connect(registry.address(),
          registry.address(), noClient).close(), "no client certificate: refused");

      Files.copy(clientDir.resolve("client.cert"), mine.resolve("client.cert"));
      Files.copy(clientDir.resolve("client.key"), mine.resolve("client.key"));
      try (RegistryClient c = RegistryClient.connect(registry.address(), registry.address(),
          noClient)) {
        assertEquals("https", c.base().getScheme());
      }
    }
  }

  @Test
  void unreachable_saysWhyInWords() {
    Duration t = Duration.ofSeconds(30);
    assertEquals("cannot reach r.io: name does not resolve",
        UnreachableException.of("r.io", new UnknownHostException("r.io"), t).getMessage());
    assertEquals("cannot reach r.io:5000: connection refused",
        UnreachableException.of("r.io:5000", new ConnectException("Connection refused"), t)
            .getMessage());
    assertEquals("cannot reach r.io: timed out after 30 s",
        UnreachableException.of("r.io", new SocketTimeoutException("Connect timed out"), t)
            .getMessage());
    assertEquals("cannot reach r.io: no route to host",
        UnreachableException.of("r.io", new NoRouteToHostException("No route to host"), t)
            .getMessage());
  }
}
