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
 * and what was set up for each container on each network ({@code attachments/ID+NETWORK.json},
 * the exact options netavark got) and its pinned namespace in the owner's run-time directory (a store's, a build's); the
 * run-time ones on a tmpfs, so that a host restart leaves nothing behind. Every netavark call holds
 * the host-wide {@link NetworkDirectories#netavarkLock}.
 */
public final class Networks {
  /** Between a container's id and a network's name in a record's name: in neither grammar. */
  private static final String SEPARATOR = "+";

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

  private Path record(String containerId, String network) {
    return runtimeDir.resolve("attachments").resolve(containerId + SEPARATOR + network + ".json");
  }

  /** The records of the container's setups, one per network. */
  private List<Path> records(String containerId) throws IOException {
    List<Path> out = new ArrayList<>();
    Path dir = runtimeDir.resolve("attachments");
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(dir, containerId + SEPARATOR + "*.json")) {
      entries.forEach(out::add);
    }
    out.sort(null);
    return out;
  }

  private synchronized Netavark netavark() throws NetavarkNotFoundException {
    if (netavark == null) {
      netavark = Netavark.locate();
    }
    return netavark;
  }

  /**
   * Connects the namespace pinned at {@code netns} to the networks {@code request} names (the
   * default one when it names none) and those it was connected to later, publishing its ports on
   * the first.
   *
   * <p>One netavark setup per network, each recorded ({@code attachments/ID+NETWORK.json}, the
   * options netavark got) before it runs: a network is torn down, at {@link #disconnect} or
   * {@link #detach}, with exactly the options it was set up with.
   *
   * @throws NetworkException for an unknown network, a taken address or port, missing netavark
   *     or aardvark-dns, or a netavark failure; nothing is left set up then
   */
  public NetworkStatus attach(String containerId, Path netns, NetworkRequest request)
      throws IOException {
    if (!records(containerId).isEmpty()) {
      throw new NetworkException("container " + containerId + " is already attached; detach it first");
    }
    List<NetworkDefinition> nets = resolve(request.networks());
    for (NetworkRequest.Connection c : request.connections()) {
      NetworkDefinition d = registry.inspect(c.network());
      if (nets.stream().anyMatch(o -> o.name().equals(d.name()))) {
        throw new NetworkException("network " + d.name() + " is given twice");
      }
      nets.add(d);
    }
    Netavark tool = netavark();
    if (nets.stream().anyMatch(NetworkDefinition::dnsEnabled)) {
      tool.requireAardvark();
    }
    // The ports are bound (held) from their choice until netavark's rules for them exist, so that
    // no other program takes a port chosen for the container meanwhile. Not for the container's
    // life: no process of Lamina's outlives the command that started the container (conmon,
    // which podman gives the sockets to, is started without them).
    PublishedPorts published = new PublishedPorts(registry.directories().publishedPorts());
    try (HostPorts.Reservation reserved = HostPorts.reserve(request.ports())) {
      published.claim(reserved.mappings(), netns);
      try {
        return join(tool, containerId, netns, request, nets, reserved.mappings());
      } catch (IOException | RuntimeException e) {
        try {
          published.release(netns);
        } catch (IOException cleanup) {
          e.addSuppressed(cleanup);
        }
        throw e;
      }
    }
  }

  private NetworkStatus join(Netavark tool, String containerId, Path netns, NetworkRequest request,
      List<NetworkDefinition> nets, List<PortMapping> ports) throws IOException {
    List<NetworkAttachment> out = new ArrayList<>();
    try {
      int first = request.networks().isEmpty() ? 1 : request.networks().size();
      for (int i = 0; i < nets.size(); i++) {
        NetworkRequest.Connection c = i < first ? null : request.connections().get(i - first);
        out.add(join(tool, containerId, netns, request.containerName(), nets.get(i), "eth" + i,
            i == 0 ? request.staticIp() : c == null ? null : c.staticIp(),
            c == null ? request.aliases() : c.aliases(),
            i == 0 ? ports : List.of(), request.dnsServers()));
      }
    } catch (IOException | RuntimeException e) {
      try {
        detach(containerId, netns);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    return new NetworkStatus(out, ports);
  }

  /**
   * Connects a container that is attached already (running) to one more network: {@code network
   * connect}. Its interface is the first {@code ethN} free.
   *
   * @throws NetworkException for an unknown network, one it is on already, a taken address, or a
   *     netavark failure; nothing of it is left set up then
   */
  public NetworkAttachment connect(String containerId, Path netns, String containerName,
      NetworkRequest.Connection connection, List<String> dnsServers) throws IOException {
    NetworkDefinition n = resolve(List.of(connection.network())).get(0);
    if (Files.exists(record(containerId, n.name()))) {
      throw new NetworkException("container is already connected to network " + n.name());
    }
    Netavark tool = netavark();
    if (n.dnsEnabled()) {
      tool.requireAardvark();
    }
    Set<String> used = new java.util.HashSet<>();
    for (Path rec : records(containerId)) {
      JsonObject nets = JsonObject.parse(Files.readAllBytes(rec)).object("networks");
      for (String name : nets.names()) {
        used.add(nets.object(name).string("interface_name"));
      }
    }
    int i = 0;
    while (used.contains("eth" + i)) {
      i++;
    }
    return join(tool, containerId, netns, containerName, n, "eth" + i, connection.staticIp(),
        connection.aliases(), List.of(), dnsServers);
  }

  /** One network's setup, recorded first; on failure, torn down and its address given back. */
  private NetworkAttachment join(Netavark tool, String containerId, Path netns,
      String containerName, NetworkDefinition n, String iface, String staticIp,
      List<String> aliases, List<PortMapping> ports, List<String> dnsServers) throws IOException {
    Integer wanted = null;
    if (staticIp != null) {
      try {
        wanted = Ipv4.parse(staticIp);
      } catch (IllegalArgumentException e) {
        throw new NetworkException(e.getMessage());
      }
    }
    int address = addresses.allocate(n, containerId, wanted);
    NetavarkOptions.Join join = new NetavarkOptions.Join(n, iface, address, aliases);
    byte[] json =
        new NetavarkOptions(containerId, containerName, List.of(join), ports, dnsServers).toJson();
    JsonObject status;
    try {
      // Recorded before setup: whatever a failed or interrupted setup left is torn down from it.
      // Not synced: run-time state, as void as what it records after a host restart.
      AtomicFiles.write(record(containerId, n.name()), json, false);
      status = serialised(() -> tool.setup(configDir(), netns, json));
    } catch (IOException | RuntimeException e) {
      try {
        tearDown(containerId, record(containerId, n.name()), netns);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      } finally {
        addresses.release(n.name(), containerId);
      }
      throw e;
    }
    return NetavarkStatus.read(status, join, containerName);
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
   * Disconnects the container from every network: netavark's teardown (veth, firewall and port
   * rules, DNS records), then its addresses are given back. Nothing happens when it is not
   * attached.
   *
   * @throws NetworkException when a netavark teardown fails; the addresses and the records are
   *     released all the same, so a failed teardown is reported once, not retried forever
   */
  public void detach(String containerId, Path netns) throws IOException {
    IOException failure = null;
    for (Path rec : records(containerId)) {
      try {
        tearDown(containerId, rec, netns);
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Disconnects the container from {@code network} alone ({@code network disconnect}).
   *
   * @throws NetworkException when it is not on that network, or netavark's teardown fails (the
   *     address and the record are released all the same)
   */
  public void disconnect(String containerId, String network, Path netns) throws IOException {
    String name = network.equals("bridge") ? registry.defaultName() : network;
    Path rec = record(containerId, NetworkRegistry.validateName(name));
    if (!Files.isRegularFile(rec)) {
      throw new NetworkException("container is not connected to network " + name);
    }
    tearDown(containerId, rec, netns);
  }

  /** The networks the container is on now, by the records of their setups. */
  public List<String> connected(String containerId) throws IOException {
    List<String> out = new ArrayList<>();
    for (Path rec : records(containerId)) {
      out.addAll(JsonObject.parse(Files.readAllBytes(rec)).object("networks").names());
    }
    return out;
  }

  private void tearDown(String containerId, Path rec, Path netns) throws IOException {
    byte[] json;
    try {
      json = Files.readAllBytes(rec);
    } catch (java.nio.file.NoSuchFileException e) {
      return;
    }
    JsonObject options = JsonObject.parse(json);
    Set<String> names = options.object("networks").names();
    IOException failure = null;
    try {
      if (Files.exists(netns)) {
        Netavark tool = netavark();
        serialised(() -> {
          tool.teardown(configDir(), netns, json);
          restoreIsolation(tool, json);
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
    if (options.has("port_mappings")) {
      // The setup that published the ports is gone; a second network's teardown keeps them.
      new PublishedPorts(registry.directories().publishedPorts()).release(netns);
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
        restoreIsolation(tool, json);
        return null;
      });
    } finally {
      NetworkNamespace.remove(standIn);
    }
  }

  /**
   * netavark 1.4 (Debian 12's) removes the jump from {@code FORWARD} to its isolation chain when
   * it tears a network down completely (its bridge goes), though other networks are still up, and
   * puts it back only at its next setup: until then containers of different networks reach each
   * other. So after a teardown that took a bridge away, while another network still has
   * containers (its bridge is up), a stand-in namespace is set up on that network and torn down
   * again: the setup puts the jump back, and the teardown, not a complete one, leaves it. netavark
   * writes the rules; Lamina writes none. Called holding the netavark lock.
   */
  private void restoreIsolation(Netavark tool, byte[] options) throws IOException {
    JsonObject info = JsonObject.parse(options).object("network_info");
    boolean bridgeGone = false;
    for (String n : info.names()) {
      bridgeGone |= !Files.exists(Path.of("/sys/class/net", info.object(n).string("network_interface")));
    }
    if (!bridgeGone) {
      return;
    }
    NetworkDefinition up = null;
    for (NetworkDefinition n : registry.list()) {
      if (Files.exists(Path.of("/sys/class/net", n.bridge())) && (up == null || !n.dnsEnabled())) {
        up = n;
      }
    }
    if (up == null) {
      return;
    }
    String id = "lamina-isolation-" + dev.lamina.layerfs.io.RandomIds.hex64().substring(0, 12);
    Path standIn = runtimeDir.resolve("netns").resolve(id);
    NetworkNamespace.create(standIn);
    try {
      int address = addresses.allocate(up, id, null);
      try {
        byte[] json = new NetavarkOptions(id, id,
            List.of(new NetavarkOptions.Join(up, "eth0", address, List.of())), List.of(), List.of())
            .toJson();
        tool.setup(configDir(), standIn, json);
        tool.teardown(configDir(), standIn, json);
      } finally {
        addresses.release(up.name(), id);
      }
    } finally {
      NetworkNamespace.remove(standIn);
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
        int sep = f.indexOf(SEPARATOR);
        out.add(sep < 0 ? f.substring(0, f.length() - ".json".length()) : f.substring(0, sep));
      }
    }
    return out;
  }
}
