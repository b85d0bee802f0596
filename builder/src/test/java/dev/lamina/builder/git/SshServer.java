package dev.lamina.builder.git;

import dev.lamina.layerfs.testing.Requirements;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;

/**
 * The host's {@code sshd} on 127.0.0.1 and a free port, in the foreground with a host key and
 * configuration of its own, letting the current user in with the keys of one authorized_keys file
 * only (no password): git over ssh reaches the bare repositories of a {@link GitServer} through it,
 * by their absolute paths. sshd must run as root, from its absolute path (it re-executes itself).
 */
public final class SshServer implements AutoCloseable {
  private static final long START_TIMEOUT_MILLIS = 10_000;

  private final Process sshd;
  private final int port;
  private final Path log;

  private SshServer(Process sshd, int port, Path log) {
    this.sshd = sshd;
    this.port = port;
    this.log = log;
  }

  /** Starts sshd with its files in {@code dir} (created), letting in {@code authorizedKeys}. */
  public static SshServer start(Path dir, Path authorizedKeys) throws Exception {
    Requirements.root();
    Path binary = Requirements.tool("sshd");
    Requirements.tool("ssh-keygen");
    Files.createDirectories(dir);
    // The privilege separation directory sshd chroots its unprivileged child into.
    Path privsep = Path.of("/run/sshd");
    if (!Files.isDirectory(privsep)) {
      Files.createDirectories(privsep,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    }
    Path hostKey = dir.resolve("host_ed25519");
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString());
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Path config = dir.resolve("sshd_config");
    Files.writeString(config, String.join("\n",
        "ListenAddress 127.0.0.1",
        "Port " + port,
        "HostKey " + hostKey,
        "AuthorizedKeysFile " + authorizedKeys,
        "PidFile none",
        // The test's files live under the world-writable /tmp, which strict modes refuse.
        "StrictModes no",
        "UsePAM no",
        "AuthenticationMethods publickey",
        "PermitRootLogin prohibit-password",
        "") + "\n");
    Path log = dir.resolve("sshd.log");
    Process sshd = new ProcessBuilder(binary.toString(), "-D", "-e", "-f", config.toString())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    SshServer server = new SshServer(sshd, port, log);
    long deadline = System.currentTimeMillis() + START_TIMEOUT_MILLIS;
    while (!server.log().contains("Server listening on 127.0.0.1 port " + port)) {
      if (!sshd.isAlive() || System.currentTimeMillis() > deadline) {
        server.close();
        throw new IOException("sshd did not start: " + server.log());
      }
      Thread.sleep(20);
    }
    return server;
  }

  /** The {@code ssh://} URL of {@code bareRepo}, logging in as the current user. */
  public String url(Path bareRepo) {
    return "ssh://" + System.getProperty("user.name") + "@127.0.0.1:" + port + bareRepo;
  }

  /** What sshd said so far. */
  public String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  /** Runs {@code command}, failing with its output unless it succeeds; returns its output. */
  static String run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }

  @Override
  public void close() throws InterruptedException {
    sshd.destroy();
    if (!sshd.waitFor(5, TimeUnit.SECONDS)) {
      sshd.destroyForcibly();
    }
  }
}
