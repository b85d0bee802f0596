package dev.lamina.runner.network;

import dev.lamina.layerfs.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * podman's network tool: {@code netavark --config DIR --aardvark-binary A setup|teardown NETNS},
 * network options on stdin. It creates the bridge, the veth pair, the address and routes, the
 * firewall rules for NAT and published ports, and starts aardvark-dns for networks with DNS; Lamina
 * writes no firewall rule of its own.
 */
public final class Netavark {
  /** Where Debian's {@code netavark} and {@code aardvark-dns} packages and other distributions put them. */
  static final List<Path> DIRECTORIES =
      List.of(
          Path.of("/usr/lib/podman"),
          Path.of("/usr/libexec/podman"),
          Path.of("/usr/local/lib/podman"),
          Path.of("/usr/local/libexec/podman"));

  private static final long TIMEOUT_SECONDS = 60;

  private final Path binary;
  private final Path aardvark;

  private Netavark(Path binary, Path aardvark) {
    this.binary = binary;
    this.aardvark = aardvark;
  }

  /**
   * The installed netavark, with aardvark-dns when it is installed too.
   *
   * @throws NetavarkNotFoundException naming the Debian package to install
   */
  public static Netavark locate() throws NetavarkNotFoundException {
    return locate(DIRECTORIES);
  }

  /** The same, looking in {@code directories}. */
  static Netavark locate(List<Path> directories) throws NetavarkNotFoundException {
    Path n =
        find(directories, "netavark")
            .orElseThrow(
                () ->
                    new NetavarkNotFoundException(
                        "netavark is not installed (looked in " + directories
                            + "): install the Debian package netavark (apt-get install netavark aardvark-dns)"));
    return new Netavark(n, find(directories, "aardvark-dns").orElse(null));
  }

  /** netavark at an explicit path (and aardvark-dns, or null). */
  public static Netavark at(Path netavark, Path aardvarkDns) {
    return new Netavark(netavark, aardvarkDns);
  }

  private static Optional<Path> find(List<Path> directories, String name) {
    for (Path d : directories) {
      Path p = d.resolve(name);
      if (Files.isExecutable(p)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /** The netavark binary. */
  public Path binary() {
    return binary;
  }

  /**
   * Checks that a network with DNS can be served.
   *
   * @throws NetavarkNotFoundException when aardvark-dns is missing
   */
  public void requireAardvark() throws NetavarkNotFoundException {
    if (aardvark == null || !Files.isExecutable(aardvark)) {
      throw new NetavarkNotFoundException(
          "aardvark-dns is not installed: install the Debian package aardvark-dns (apt-get install aardvark-dns)");
    }
  }

  /**
   * Sets up {@code netns} as {@code options} say.
   *
   * @param configDir netavark's state (aardvark-dns's records live under it); a tmpfs directory
   * @return netavark's status: network name to status block
   * @throws NetworkException with netavark's own error message when it fails
   */
  public JsonObject setup(Path configDir, Path netns, byte[] options) throws IOException {
    byte[] out = run(configDir, "setup", netns, options);
    try {
      return JsonObject.parse(out);
    } catch (IOException e) {
      throw new NetworkException("netavark setup printed no status: " + e.getMessage(), e);
    }
  }

  /**
   * Undoes {@link #setup} with the same options.
   *
   * @throws NetworkException with netavark's own error message when it fails
   */
  public void teardown(Path configDir, Path netns, byte[] options) throws IOException {
    run(configDir, "teardown", netns, options);
  }

  private byte[] run(Path configDir, String verb, Path netns, byte[] options) throws IOException {
    // netavark creates aardvark-dns/ in the config directory but not the directory itself.
    Files.createDirectories(configDir);
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--config", configDir.toString(), "--rootless", "false"));
    if (aardvark != null) {
      cmd.add("--aardvark-binary");
      cmd.add(aardvark.toString());
    }
    cmd.add(verb);
    cmd.add(netns.toString());
    Process p;
    try {
      // aardvark-dns, started by netavark, keeps running: it must not inherit our pipes.
      p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.PIPE).start();
    } catch (IOException e) {
      throw new NetavarkNotFoundException(
          "cannot run " + binary + ": " + e.getMessage() + " (install the Debian package netavark)");
    }
    CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
    try (OutputStream in = p.getOutputStream()) {
      in.write(options);
    } catch (IOException e) {
      // netavark stopped reading: it failed early, and says why on stdout.
    }
    byte[] out = drain(p.getInputStream());
    int code;
    try {
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new NetworkException("netavark " + verb + " timed out");
      }
      code = p.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new NetworkException("netavark " + verb + " interrupted");
    }
    if (code != 0) {
      throw new NetworkException("netavark " + verb + " failed: " + errorOf(out, stderr.join()));
    }
    return out;
  }

  /** netavark reports failure as {@code {"error": "..."}} on stdout; stderr as a fallback. */
  static String errorOf(byte[] stdout, byte[] stderr) {
    try {
      String e = JsonObject.parse(stdout).string("error");
      if (e != null) {
        return e;
      }
    } catch (IOException | RuntimeException e) {
      // Not JSON: use the raw text below.
    }
    String text = new String(stdout.length > 0 ? stdout : stderr, StandardCharsets.UTF_8).strip();
    return text.isEmpty() ? "no message" : text.replace('\n', ' ');
  }

  private static byte[] drain(InputStream in) {
    try (in) {
      return in.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }
}
