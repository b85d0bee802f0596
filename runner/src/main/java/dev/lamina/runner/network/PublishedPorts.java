package dev.lamina.runner.network;

import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.layerfs.store.FileLocks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The host ports Lamina's containers publish, host-wide: one file a port, {@code
 * PROTO-PORT-IP}, naming the pinned network namespace of the container that publishes it
 * ({@code .../netns/ID}, pinned before its setup, unpinned after its teardown). netavark's
 * DNAT rule takes a published port's traffic before any socket would see it, so neither binding
 * the port nor netavark tells that another container publishes it already: without this, a
 * second container published on the same port was set up, and never reached. A port is claimed
 * before netavark's setup and given back at the teardown; a claim whose namespace is no longer
 * pinned (a crash, a store removed) is stale and taken over. As docker, an address of all interfaces ({@code
 * 0.0.0.0}) clashes with any address on the same port and protocol.
 */
final class PublishedPorts {
  private static final String ALL = "0.0.0.0";

  private final Path dir;

  /** The ledger in {@code dir} (under the host-wide run-time network directory). */
  PublishedPorts(Path dir) {
    this.dir = dir;
  }

  /**
   * Claims each host port of {@code mappings} for the container whose namespace is pinned at
   * {@code netns}; all of them or none.
   *
   * @throws NetworkException naming the first port another container publishes already
   */
  void claim(List<PortMapping> mappings, Path netns) throws IOException {
    if (mappings.isEmpty()) {
      return;
    }
    Files.createDirectories(dir);
    FileLocks.withExclusive(dir.resolve(".lock"), () -> {
      List<String> names = new ArrayList<>();
      for (PortMapping m : mappings) {
        for (int i = 0; i < m.range(); i++) {
          String ip = m.shownHostIp();
          int port = m.hostPort() + i;
          Path taken = clash(m.protocol(), port, ip);
          if (taken != null) {
            throw new NetworkException("cannot publish " + ip + ":" + port + "/" + m.protocol()
                + ": the port is already published by container "
                + containerOf(Files.readString(taken, StandardCharsets.UTF_8)));
          }
          names.add(m.protocol() + "-" + port + "-" + ip);
        }
      }
      byte[] owner = netns.toString().getBytes(StandardCharsets.UTF_8);
      for (String name : names) {
        AtomicFiles.write(dir.resolve(name), owner, false);
      }
      return null;
    });
  }

  /** Gives back the ports claimed for the namespace pinned at {@code netns}. */
  void release(Path netns) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    String owner = netns.toString();
    FileLocks.withExclusive(dir.resolve(".lock"), () -> {
      try (DirectoryStream<Path> claims = Files.newDirectoryStream(dir, "*-*-*")) {
        for (Path c : claims) {
          if (owner.equals(read(c))) {
            Files.deleteIfExists(c);
          }
        }
      }
      return null;
    });
  }

  /**
   * The live claim {@code ip}'s port clashes with, or null; stale claims met on the way are
   * removed.
   */
  private Path clash(String protocol, int port, String ip) throws IOException {
    try (DirectoryStream<Path> claims =
        Files.newDirectoryStream(dir, protocol + "-" + port + "-*")) {
      for (Path c : claims) {
        String other = c.getFileName().toString().substring((protocol + "-" + port + "-").length());
        if (!(other.equals(ip) || other.equals(ALL) || ip.equals(ALL))) {
          continue;
        }
        String owner = read(c);
        if (owner == null || !Files.exists(Path.of(owner))) {
          Files.deleteIfExists(c); // its container is gone without a teardown
          continue;
        }
        return c;
      }
    }
    return null;
  }

  private static String read(Path claim) throws IOException {
    try {
      return Files.readString(claim, StandardCharsets.UTF_8);
    } catch (NoSuchFileException gone) {
      return null;
    }
  }

  /** The container id a namespace is pinned by ({@code .../netns/ID}), shortened. */
  private static String containerOf(String netns) {
    String id = Path.of(netns).getFileName().toString();
    return id.substring(0, Math.min(12, id.length()));
  }
}
