package dev.lamina.runner.network;

import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.layerfs.store.FileLocks;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Puts containers on networks and takes them off: the one entry the run seam calls. {@link
 * #attach} allocates addresses, resolves host ports and has netavark set up a namespace the caller
 * pinned; {@link #detach} undoes all of it, and may be called any number of times.
 *
 * <p>State lives in three places: network definitions in the host's definitions directory, address
 * leases and netavark's own state in the host's run-time directory ({@link NetworkDirectories}),
 * and what was set up for each container ({@code attachments/ID.json}, the exact options netavark
 * got) and its pinned namespace in the owner's run-time directory (a store's, a build's); the
 * run-time ones on a tmpfs, so that a host restart leaves nothing behind. Every netavark call holds
 * the host-wide {@link NetworkDirectories#netavarkLock}.
 */
public final class Networks {
  private final NetworkRegistry registry;
  private final AddressAllocator addresses;
  private final Path runtimeDir;
  private Netavark netavark;

  private Networks(NetworkRegistry registry, Path runtimeDir, Netavark netavark) {
    this.registry = registry;
    this.addresses = new AddressAllocator(registry);
    this.runtimeDir = runtimeDir.toAbsolutePath();
    this.netavark = netavark;
  }

  /**
   * The host's networks as {@code defaults} place them, with this owner's namespaces and
   * attachments under {@code runtimeDir}; netavark is looked up on first use.
   */
  public static Networks open(Path runtimeDir, NetworkUsers users, NetworkDefaults defaults) {
    return new Networks(NetworkRegistry.at(defaults, users), runtimeDir, null);
  }

  /** The same, with a given netavark. */
  public Networks withNetavark(Netavark given) {
    return new Networks(registry, runtimeDir, given);
  }

  /** The network definitions. */
  public NetworkRegistry registry() {
    return registry;
  }

  /** The address leases. */
  public AddressAllocator addresses() {
    return addresses;
  }

  /** This owner's run-time directory: its pinned namespaces and attachments. */
  public Path runtimeDirectory() {
    return runtimeDir;
  }

  /** Where a container's namespace should be pinned: {@code RUNTIME/netns/ID}. */
  public Path namespacePath(String containerId) {
    return runtimeDir.resolve("netns").resolve(containerId);
  }

  private Path configDir() {
    return registry.directories().netavarkState();
  }

  /** Runs a netavark call holding the host-wide netavark lock. */
  private <T> T serialised(FileLocks.Locked<T> call) throws IOException {
    return FileLocks.withExclusive(registry.directories().netavarkLock(), call);
  }

  private Path record(String containerId) {
    return runtimeDir.resolve("attachments").resolve(containerId + ".json");
  }

  private synchronized Netavark netavark() throws NetavarkNotFoundException {
    if (netavark == null) {
      netavark = Netavark.locate();
    }
    return netavark;
  }

  /**
   * Connects the namespace pinned at {@code netns} to the networks {@code request} names (the
   * default one when it names none), publishing its ports.
   *
   * @throws NetworkException for an unknown network, a taken address or port, missing netavark
   *     or aardvark-dns, or a netavark failure; nothing is left set up then
   */
  public NetworkStatus attach(String containerId, Path netns, NetworkRequest request)
      throws IOException {
    if (Files.exists(record(containerId))) {
      throw new NetworkException("container " + containerId + " is already attached; detach it first");
    }
    List<NetworkDefinition> nets = resolve(request.networks());
    Netavark tool = netavark();
    if (nets.stream().anyMatch(NetworkDefinition::dnsEnabled)) {
      tool.requireAardvark();
    }
    Integer wanted = null;
    if (request.staticIp() != null) {
      try {
        wanted = Ipv4.parse(request.staticIp());
      } catch (IllegalArgumentException e) {
        throw new NetworkException(e.getMessage());
      }
    }
    List<PortMapping> ports = HostPorts.resolve(request.ports());
    List<NetavarkOptions.Join> joins = new ArrayList<>();
    try {
      for (int i = 0; i < nets.size(); i++) {
        NetworkDefinition n = nets.get(i);
        int address = addresses.allocate(n, containerId, i == 0 ? wanted : null);
        joins.add(new NetavarkOptions.Join(n, "eth" + i, address, request.aliases()));
      }
    } catch (IOException | RuntimeException e) {
      release(containerId, nets);
      throw e;
    }
    NetavarkOptions options =
        new NetavarkOptions(containerId, request.containerName(), joins, ports, request.dnsServers());
    byte[] json = options.toJson();
    // Recorded before setup: whatever a failed or interrupted setup left is torn down from it.
    AtomicFiles.write(record(containerId), json);
    JsonObject status;
    try {
      status = serialised(() -> tool.setup(configDir(), netns, json));
    } catch (IOException | RuntimeException e) {
      try {
        detach(containerId, netns);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    List<NetworkAttachment> out = new ArrayList<>();
    for (NetavarkOptions.Join j : joins) {
      out.add(NetavarkStatus.read(status, j, request.containerName()));
    }
    return new NetworkStatus(out, ports);
  }

  private List<NetworkDefinition> resolve(List<String> names) throws IOException {
    List<NetworkDefinition> out = new ArrayList<>();
    if (names.isEmpty()) {
      out.add(registry.defaultNetwork());
      return out;
    }
    for (String name : names) {
      String n = name.equals("bridge") ? registry.defaultName() : name;
      NetworkDefinition d = registry.inspect(n);
      if (out.stream().anyMatch(o -> o.name().equals(d.name()))) {
        throw new NetworkException("network " + d.name() + " is given twice");
      }
      out.add(d);
    }
    return out;
  }

  /**
   * Disconnects the container: netavark's teardown (veth, firewall and port rules, DNS records),
   * then its addresses are given back. Nothing happens when it is not attached.
   *
   * @throws NetworkException when netavark's teardown fails; the addresses and the record are
   *     released all the same, so a failed teardown is reported once, not retried forever
   */
  public void detach(String containerId, Path netns) throws IOException {
    Path rec = record(containerId);
    if (!Files.isRegularFile(rec)) {
      return;
    }
    byte[] json = Files.readAllBytes(rec);
    Set<String> names = JsonObject.parse(json).object("networks").names();
    IOException failure = null;
    try {
      if (Files.exists(netns)) {
        Netavark tool = netavark();
        serialised(() -> {
          tool.teardown(configDir(), netns, json);
          return null;
        });
      } else {
        teardownWithoutNamespace(containerId, json);
      }
    } catch (IOException e) {
      failure = e;
    }
    for (String n : names) {
      addresses.release(n, containerId);
    }
    Files.deleteIfExists(rec);
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * The namespace went first (a crash, a host restart): its veth ends went with it, but the
   * firewall rules, DNS records and the bridge are the host's. netavark is given a stand-in
   * namespace holding a dummy interface of each name it will delete, so that its teardown runs to
   * the end and removes the host's side.
   */
  private void teardownWithoutNamespace(String containerId, byte[] json) throws IOException {
    Path standIn = runtimeDir.resolve("netns").resolve(containerId + ".teardown");
    NetworkNamespace.remove(standIn);
    NetworkNamespace.create(standIn);
    try {
      JsonObject nets = JsonObject.parse(json).object("networks");
      for (String n : nets.names()) {
        NetworkNamespace.addDummy(standIn, nets.object(n).string("interface_name"));
      }
      Netavark tool = netavark();
      serialised(() -> {
        tool.teardown(configDir(), standIn, json);
        return null;
      });
    } finally {
      NetworkNamespace.remove(standIn);
    }
  }

  private void release(String containerId, List<NetworkDefinition> nets) throws IOException {
    for (NetworkDefinition n : nets) {
      addresses.release(n.name(), containerId);
    }
  }

  /** The ids of the containers that are attached now (for cleanup after a crash). */
  public Set<String> attached() throws IOException {
    Set<String> out = new TreeSet<>();
    Path dir = runtimeDir.resolve("attachments");
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.json")) {
      for (Path e : entries) {
        String f = e.getFileName().toString();
        out.add(f.substring(0, f.length() - ".json".length()));
      }
    }
    return out;
  }
}
