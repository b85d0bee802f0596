package dev.lamina.runner.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An unprivileged user's container network, as podman's rootless default: {@code pasta} (Debian
 * {@code passt}) connects a pinned network namespace to the host's network through user-space
 * sockets, copying the host's addresses and routes into it ({@code --config-net}), and forwards
 * published ports from the host into it. It runs in the background until the namespace's file is
 * removed, which it watches. Nothing it does needs privilege on the host.
 */
public final class Pasta {
  private static final Path TUN = Path.of("/dev/net/tun");

  private Pasta() {}

  /**
   * Connects the namespace pinned at {@code netns}, with {@code ports} (host ports resolved)
   * forwarded from the host. Returns once pasta has configured it and gone to the background.
   *
   * @throws NetworkException when pasta is not installed (naming the package) or fails
   */
  public static void attach(Path netns, List<PortMapping> ports) throws IOException {
    Path pasta = which("pasta").orElseThrow(() -> new NetworkException(
        "pasta is not installed; a user's containers need it for their network (on Debian/Ubuntu:"
            + " apt-get install passt), or run with --network none or host"));
    if (!Files.isReadable(TUN) || !Files.isWritable(TUN)) {
      // pasta would say only "Failed to open tun socket in namespace".
      throw new NetworkException("pasta needs " + TUN + ", which this host keeps from users (Debian"
          + " makes it mode 0666); use --network none or host, or have it made 0666");
    }
    List<String> cmd = new ArrayList<>(List.of(pasta.toString(), "--config-net", "--quiet"));
    cmd.addAll(arguments(ports));
    cmd.addAll(List.of("--netns", netns.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    try {
      if (p.waitFor() != 0) {
        throw new NetworkException("pasta failed: " + out.replace('\n', ' '));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new NetworkException("interrupted while starting pasta");
    }
  }

  /**
   * pasta's forwarding options for {@code ports}: {@code -t}/{@code -u} with {@code
   * [ADDRESS/]HOST[-END]:CONTAINER[-END]} each, {@code none} for a protocol without any, and no
   * forwarding from the container to the host's own ports ({@code -T none -U none}).
   */
  static List<String> arguments(List<PortMapping> ports) {
    List<String> tcp = new ArrayList<>();
    List<String> udp = new ArrayList<>();
    for (PortMapping m : ports) {
      String spec = (m.hostIp().isEmpty() ? "" : m.hostIp() + "/") + span(m.hostPort(), m.range())
          + ":" + span(m.containerPort(), m.range());
      (m.protocol().equals("udp") ? udp : tcp).add(spec);
    }
    List<String> out = new ArrayList<>();
    out.addAll(List.of("-t", tcp.isEmpty() ? "none" : String.join(",", tcp)));
    out.addAll(List.of("-u", udp.isEmpty() ? "none" : String.join(",", udp)));
    out.addAll(List.of("-T", "none", "-U", "none"));
    return out;
  }

  private static String span(int first, int range) {
    return range == 1 ? Integer.toString(first) : first + "-" + (first + range - 1);
  }

  private static Optional<Path> which(String tool) {
    String path = System.getenv().getOrDefault("PATH", "");
    for (String dir : (path + ":/usr/bin:/bin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return Optional.of(Path.of(dir, tool));
      }
    }
    return Optional.empty();
  }
}
