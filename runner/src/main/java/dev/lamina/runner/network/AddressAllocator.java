package dev.lamina.runner.network;

import dev.lamina.layerfs.json.JsonCodec;
import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.layerfs.store.FileLocks;
import dev.lamina.runner.internal.JsonFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * IPAM: hands out the addresses of a network's subnet, one per container, recorded host-wide in
 * {@code leases/NAME.json} of the run-time directory (container id to address) under the
 * registry's lock, so that two stores never hand out the same address on one bridge. The network
 * address, the gateway and the broadcast address are never handed out.
 */
public final class AddressAllocator {
  private static final String SUFFIX = ".json";

  private final NetworkRegistry registry;

  public AddressAllocator(NetworkRegistry registry) {
    this.registry = registry;
  }

  private static Path leases(NetworkRegistry registry, String network) {
    return registry.directories().leases().resolve(network + SUFFIX);
  }

  /**
   * The address of {@code containerId} on {@code network}: the one it already holds, the one it
   * asks for ({@code wanted}, or null), or the lowest free one.
   *
   * @throws NetworkException when the network no longer exists, the wanted address is outside the
   *     subnet or taken, or the subnet is full
   */
  public int allocate(NetworkDefinition network, String containerId, Integer wanted)
      throws IOException {
    return FileLocks.withExclusive(
        registry.lockFile(),
        () -> {
          if (registry.find(network.name()).isEmpty()) {
            throw new NetworkException("network not found: " + network.name());
          }
          Map<String, String> held = read(leases(registry, network.name()));
          String mine = held.get(containerId);
          if (mine != null && (wanted == null || Ipv4.parse(mine) == wanted)) {
            return Ipv4.parse(mine);
          }
          Set<Integer> used = new HashSet<>();
          held.forEach((id, ip) -> {
            if (!id.equals(containerId)) {
              used.add(Ipv4.parse(ip));
            }
          });
          Subnet s = network.subnet();
          int address;
          if (wanted != null) {
            if (!s.contains(wanted) || wanted == s.base() || wanted == s.broadcast()
                || wanted == network.gateway()) {
              throw new NetworkException(
                  "address " + Ipv4.format(wanted) + " is not a free host address in subnet " + s
                      + " of network " + network.name());
            }
            if (used.contains(wanted)) {
              throw new NetworkException(
                  "address " + Ipv4.format(wanted) + " is already in use on network " + network.name());
            }
            address = wanted;
          } else {
            address = lowestFree(network, used);
          }
          held.put(containerId, Ipv4.format(address));
          write(leases(registry, network.name()), held);
          return address;
        });
  }

  private static int lowestFree(NetworkDefinition network, Set<Integer> used)
      throws NetworkException {
    Subnet s = network.subnet();
    for (long i = 1; i < s.size() - 1; i++) {
      int a = s.host(i);
      if (a != network.gateway() && !used.contains(a)) {
        return a;
      }
    }
    throw new NetworkException("no free address left in subnet " + s + " of network " + network.name());
  }

  /**
   * Gives back the address {@code containerId} holds on {@code network}; nothing when it holds
   * none.
   *
   * @throws IOException if the leases cannot be rewritten
   */
  public void release(String network, String containerId) throws IOException {
    FileLocks.withExclusive(
        registry.lockFile(),
        () -> {
          Path file = leases(registry, network);
          Map<String, String> held = read(file);
          if (held.remove(containerId) != null) {
            if (held.isEmpty()) {
              Files.deleteIfExists(file);
            } else {
              write(file, held);
            }
          }
          return null;
        });
  }

  /** The addresses handed out on {@code network}, by container id. */
  public Map<String, String> leases(String network) throws IOException {
    return read(leases(registry, network));
  }

  /** The networks on which some container holds an address. Called under the registry's lock. */
  static Set<String> networksWithLeases(NetworkRegistry registry) throws IOException {
    Set<String> out = new HashSet<>();
    Path dir = registry.directories().leases();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path e : entries) {
        if (!read(e).isEmpty()) {
          String f = e.getFileName().toString();
          out.add(f.substring(0, f.length() - SUFFIX.length()));
        }
      }
    }
    return out;
  }

  /** Drops the leases of a removed network. Called under the registry's lock. */
  static void forgetNetwork(NetworkRegistry registry, String network) throws IOException {
    Files.deleteIfExists(leases(registry, network));
  }

  private static Map<String, String> read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      return new TreeMap<>();
    }
    return new TreeMap<>(JsonFiles.read(file, LeasesCodec.INSTANCE));
  }

  private static void write(Path file, Map<String, String> held) throws IOException {
    Files.createDirectories(file.getParent());
    // Not synced: leases are run-time state, void after a host restart (and reconciled then).
    AtomicFiles.write(file, JsonWriter.toBytes(held, LeasesCodec.INSTANCE), false);
  }

  /** {@code {"leases": {"<container id>": "<address>"}}}. */
  private static final class LeasesCodec implements JsonCodec<Map<String, String>> {
    static final LeasesCodec INSTANCE = new LeasesCodec();

    @Override
    public void write(JsonWriter out, Map<String, String> value) throws IOException {
      out.startObject().stringMap("leases", value).endObject();
    }

    @Override
    public Map<String, String> read(JsonObject in) throws JsonFormatException {
      Map<String, String> m = in.stringMap("leases");
      return m == null ? Map.of() : m;
    }
  }
}
