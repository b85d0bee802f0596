package dev.lamina.runner.spec;

import dev.lamina.layerfs.store.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A container's {@code /etc/hostname}, {@code /etc/hosts} and {@code /etc/resolv.conf}: files of
 * its own, next to its record, bind-mounted over the image's (as Docker and Podman do), so the
 * image's files are never changed and DNS works as on the host.
 */
public final class EtcFiles {
  /** The container paths these files cover. */
  public static final Set<String> PATHS = Set.of("/etc/hostname", "/etc/hosts", "/etc/resolv.conf");

  private static final int MAX_BYTES = 1024 * 1024;

  private EtcFiles() {}

  /**
   * Writes the three files into {@code dir} and returns their binds, leaving out any path the
   * user binds himself ({@code taken}).
   *
   * @param hostSide where the host's {@code hosts} and {@code resolv.conf} are read ({@code /etc})
   * @throws IOException if a file cannot be written
   */
  public static List<BindMount> write(
      Path dir, Path hostSide, String hostname, Network network, Set<String> taken)
      throws IOException {
    List<BindMount> binds = new ArrayList<>();
    add(binds, taken, dir.resolve("hostname"), "/etc/hostname", hostname + "\n");
    add(binds, taken, dir.resolve("hosts"), "/etc/hosts", hosts(hostSide, hostname, network));
    add(
        binds,
        taken,
        dir.resolve("resolv.conf"),
        "/etc/resolv.conf",
        read(hostSide.resolve("resolv.conf")));
    return binds;
  }

  private static void add(
      List<BindMount> binds, Set<String> taken, Path file, String dest, String content)
      throws IOException {
    if (taken.contains(dest)) {
      return;
    }
    // Not synced: the files are made again whenever the container is created.
    AtomicFiles.write(file, content.getBytes(StandardCharsets.UTF_8), false);
    // Every user of the container reads them (the temp file was created 0600).
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    binds.add(new BindMount(file.toAbsolutePath(), dest, false));
  }

  /**
   * With the host's network, the host's own hosts file (its names resolve as on the host) and the
   * container's name; otherwise loopback alone.
   */
  static String hosts(Path hostSide, String hostname, Network network) throws IOException {
    StringBuilder sb = new StringBuilder();
    if (network == Network.HOST) {
      String host = read(hostSide.resolve("hosts"));
      sb.append(host);
      if (!host.isEmpty() && !host.endsWith("\n")) {
        sb.append('\n');
      }
    }
    if (sb.indexOf("localhost") < 0) {
      sb.append("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    }
    sb.append(network == Network.HOST ? "127.0.1.1" : "127.0.0.1").append('\t');
    sb.append(hostname).append('\n');
    return sb.toString();
  }

  /** The host file, or empty when it is missing; capped so that a huge file cannot stall us. */
  private static String read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return new String(in.readNBytes(MAX_BYTES), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return "";
    }
  }
}
