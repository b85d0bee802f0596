package dev.lamina.layerfs.registry;

import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Debian's {@code docker-registry} (the CNCF distribution registry) on 127.0.0.1 (or another
 * address of this host) and a free port,
 * storing in a temp directory, optionally behind htpasswd Basic auth. Started and stopped by the
 * test that uses it; its log goes to {@code registry.log} in its directory.
 */
public final class RegistryServer implements AutoCloseable {
  private final Process process;
  private final String host;
  private final int port;
  private final Path dir;

  private RegistryServer(Process process, String host, int port, Path dir) {
    this.process = process;
    this.host = host;
    this.port = port;
    this.dir = dir;
  }

  /** Starts a registry without auth. */
  public static RegistryServer start(Path dir) throws Exception {
    return start(dir, null, null);
  }

  /** Starts a registry; with a user, it requires Basic auth with that password (bcrypt). */
  public static RegistryServer start(Path dir, String user, String password)
      throws Exception {
    return start(dir, "127.0.0.1", user, password, false);
  }

  /** Starts a registry serving https only, with a self-signed certificate for 127.0.0.1. */
  public static RegistryServer startTls(Path dir) throws Exception {
    return start(dir, "127.0.0.1", null, null, true);
  }

  /**
   * Starts a registry serving https only (as {@link #startTls}) that accepts only clients with a
   * certificate signed by {@code clientCa}.
   */
  public static RegistryServer startTlsWithClientCa(Path dir, Path clientCa) throws Exception {
    return start(dir, "127.0.0.1", null, null, true, clientCa);
  }

  /**
   * Starts a registry on {@code host}, an IPv4 address of this host; with {@code tls}, https
   * only, its certificate (for 127.0.0.1) not matching that address.
   */
  static RegistryServer startOn(Path dir, String host, String user, String password, boolean tls)
      throws Exception {
    return start(dir, host, user, password, tls);
  }

  private static RegistryServer start(Path dir, String host, String user, String password,
      boolean tls) throws Exception {
    return start(dir, host, user, password, tls, null);
  }

  private static RegistryServer start(Path dir, String host, String user, String password,
      boolean tls, Path clientCa) throws Exception {
    Path binary = Requirements.tool("docker-registry");
    Files.createDirectories(dir.resolve("storage"));
    int port = freePort();
    StringBuilder config = new StringBuilder();
    config.append("version: 0.1\n")
        .append("log:\n  level: info\n  accesslog:\n    disabled: false\n")
        .append("storage:\n  filesystem:\n    rootdirectory: ").append(dir.resolve("storage"))
        .append("\n  delete:\n    enabled: true\n")
        .append("http:\n  addr: ").append(host).append(':').append(port).append('\n')
        .append("  secret: lamina-test-secret\n");
    if (tls) {
      Path openssl = Requirements.tool("openssl");
      Files.createDirectories(dir);
      Process p = new ProcessBuilder(openssl.toString(), "req", "-x509", "-newkey", "rsa:2048",
          "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
          "subjectAltName=IP:127.0.0.1", "-keyout", dir.resolve("key.pem").toString(), "-out",
          dir.resolve("cert.pem").toString())
          .redirectErrorStream(true).redirectOutput(dir.resolve("openssl.log").toFile()).start();
      if (p.waitFor() != 0) {
        throw new IllegalStateException("openssl failed: " + Files.readString(
            dir.resolve("openssl.log")));
      }
      config.append("  tls:\n    certificate: ").append(dir.resolve("cert.pem"))
          .append("\n    key: ").append(dir.resolve("key.pem")).append('\n');
      if (clientCa != null) {
        config.append("    clientcas:\n      - ").append(clientCa).append('\n');
      }
    }
    if (user != null) {
      byte[] salt = new byte[16];
      new SecureRandom().nextBytes(salt);
      String hash = OpenBSDBCrypt.generate("2a", password.toCharArray(), salt, 5);
      Path htpasswd = dir.resolve("htpasswd");
      Files.writeString(htpasswd, user + ":" + hash + "\n");
      config.append("auth:\n  htpasswd:\n    realm: lamina-test\n    path: ")
          .append(htpasswd).append('\n');
    }
    Path file = dir.resolve("config.yml");
    Files.writeString(file, config.toString());
    Process p =
        new ProcessBuilder(binary.toString(), "serve", file.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("registry.log").toFile())
            .start();
    RegistryServer server = new RegistryServer(p, host, port, dir);
    server.awaitReady(tls);
    return server;
  }

  private void awaitReady(boolean tls) throws Exception {
    for (int i = 0; i < 200; i++) {
      if (!process.isAlive()) {
        throw new IllegalStateException("docker-registry exited: " + log());
      }
      if (tls) {
        try (java.net.Socket s = new java.net.Socket(host, port)) {
          return; // listening; its certificate is not checked here
        } catch (IOException e) {
          Thread.sleep(50);
          continue;
        }
      }
      try {
        HttpURLConnection c =
            (HttpURLConnection) URI.create("http://" + host + ":" + port + "/v2/").toURL()
                .openConnection();
        c.setConnectTimeout(500);
        int status = c.getResponseCode();
        c.disconnect();
        if (status == 200 || status == 401) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(50);
    }
    close();
    throw new IllegalStateException("docker-registry did not start: " + log());
  }

  /** {@code 127.0.0.1:PORT} (or the address it was started on). */
  public String address() {
    return host + ":" + port;
  }

  int port() {
    return port;
  }

  /** The registry's own storage directory (for tampering tests). */
  Path storage() {
    return dir.resolve("storage");
  }

  String log() throws IOException {
    Path f = dir.resolve("registry.log");
    return Files.exists(f) ? Files.readString(f, StandardCharsets.UTF_8) : "";
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
