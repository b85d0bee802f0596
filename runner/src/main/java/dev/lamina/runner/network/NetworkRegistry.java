package dev.lamina.runner.network;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.io.RandomIds;
import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.layerfs.store.FileLocks;
import dev.lamina.runner.internal.JsonFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The host's networks: {@code NAME.json} in the definitions directory ({@link
 * NetworkDirectories#config}), each in podman's network JSON so netavark gets it unchanged, and the
 * implicit default network. Every change happens under the host-wide lock ({@link
 * NetworkDirectories#lock}), which the address allocator shares, so a network is never removed
 * while an address on it is being handed out.
 */
public final class NetworkRegistry {
  /** Docker's and podman's network name grammar. */
  public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");

  private static final String SUFFIX = ".json";
  private static final int MAX_BRIDGES = 4096;

  private final Path dir;
  private final NetworkUsers users;
  private final NetworkDefaults defaults;

  private NetworkRegistry(NetworkUsers users, NetworkDefaults defaults) {
    this.dir = defaults.directories().config();
    this.users = users;
    this.defaults = defaults;
  }

  /** The networks in {@code defaults}' directories; {@code users} says which are in use. */
  public static NetworkRegistry at(NetworkDefaults defaults, NetworkUsers users) {
    return new NetworkRegistry(users, defaults);
  }

  /** Where definitions, leases and run-time state live. */
  public NetworkDirectories directories() {
    return defaults.directories();
  }

  /** The lock every network change and every address allocation holds. */
  Path lockFile() {
    return defaults.directories().lock();
  }

  /** The default network's name. */
  public String defaultName() {
    return defaults.name();
  }

  /**
   * Checks a network name.
   *
   * @throws NetworkException unless it matches {@code [a-zA-Z0-9][a-zA-Z0-9_.-]*} (at most 255)
   */
  public static String validateName(String name) throws NetworkException {
    if (name == null || name.length() > 255 || !NAME.matcher(name).matches()) {
      throw new NetworkException(
          "invalid network name '" + name + "': only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
    }
    return name;
  }

  private Path record(String name) throws NetworkException {
    return dir.resolve(validateName(name) + SUFFIX);
  }

  /**
   * Creates a network.
   *
   * @throws NetworkException for a bad name, subnet or gateway, a name taken, a subnet that
   *     overlaps another network's or a host route, or no free subnet left
   */
  public NetworkDefinition create(NetworkCreateRequest request) throws IOException {
    validateName(request.name());
    if (request.name().equals(defaults.name()) || request.name().equals("bridge")
        || request.name().equals("host") || request.name().equals("none")) {
      throw new NetworkException("network name " + request.name() + " is reserved");
    }
    return FileLocks.withExclusive(lockFile(), () -> createLocked(request));
  }

  private NetworkDefinition createLocked(NetworkCreateRequest request) throws IOException {
    if (Files.exists(record(request.name()))) {
      throw new NetworkException("network name " + request.name() + " already used");
    }
    List<NetworkDefinition> existing = list();
    Subnet subnet;
    if (request.subnet() != null) {
      subnet = parseSubnet(request.subnet());
      for (NetworkDefinition n : existing) {
        if (n.subnet().overlaps(subnet)) {
          throw new NetworkException(
              "subnet " + subnet + " overlaps network " + n.name() + " (" + n.subnet() + ")");
        }
      }
      for (Subnet route : HostRoutes.read(defaults.routeTable())) {
        if (route.overlaps(subnet)) {
          throw new NetworkException("subnet " + subnet + " overlaps host route " + route);
        }
      }
    } else {
      subnet =
          SubnetChooser.choose(SubnetChooser.userCandidates(), taken(existing))
              .orElseThrow(() -> new NetworkException(
                  "no free subnet left in " + SubnetChooser.USER_RANGE + "; pass --subnet"));
    }
    int gateway = gateway(subnet, request.gateway());
    NetworkDefinition n =
        new NetworkDefinition(
            request.name(),
            RandomIds.hex64(),
            freeBridge(existing),
            now(),
            subnet,
            gateway,
            request.internal(),
            true,
            request.labels());
    write(n);
    return n;
  }

  /**
   * Ranges no bridge may take, though the host's main routing table ({@link HostRoutes}) does not
   * list them: loopback (in the kernel's local table, on {@code lo}: a bridge there would take
   * the host's own 127.0.0.1; podman refuses it too, as an address the host has), "this
   * network", multicast and the reserved class E.
   *
   * <p>A list, not a map: it is only scanned, and every command initialises this class. Hashing a
   * record makes the JVM build its {@code hashCode} and {@code equals} from method handles at
   * first use, about 8 ms of every command's start.
   */
  private static final List<Map.Entry<Subnet, String>> NOT_FOR_BRIDGES = List.of(
      Map.entry(Subnet.parse("0.0.0.0/8"), "the \"this network\" range"),
      Map.entry(Subnet.parse("127.0.0.0/8"), "the loopback range"),
      Map.entry(Subnet.parse("224.0.0.0/4"), "the multicast range"),
      Map.entry(Subnet.parse("240.0.0.0/4"), "the reserved range"));

  private static Subnet parseSubnet(String text) throws NetworkException {
    Subnet s;
    try {
      s = Subnet.parse(text);
    } catch (IllegalArgumentException e) {
      throw new NetworkException(e.getMessage());
    }
    if (s.prefix() > 30) {
      throw new NetworkException("subnet " + s + " is too small: at most /30");
    }
    if (!s.toString().equals(text)) {
      throw new NetworkException("invalid subnet " + text + ": host bits set (did you mean " + s + "?)");
    }
    for (Map.Entry<Subnet, String> special : NOT_FOR_BRIDGES) {
      if (special.getKey().overlaps(s)) {
        throw new NetworkException(
            "subnet " + s + " overlaps " + special.getValue() + " " + special.getKey());
      }
    }
    return s;
  }

  private static int gateway(Subnet subnet, String text) throws NetworkException {
    if (text == null) {
      return subnet.host(1);
    }
    int g;
    try {
      g = Ipv4.parse(text);
    } catch (IllegalArgumentException e) {
      throw new NetworkException("invalid gateway: " + e.getMessage());
    }
    if (!subnet.contains(g) || g == subnet.base() || g == subnet.broadcast()) {
      throw new NetworkException("gateway " + text + " is not a host address in subnet " + subnet);
    }
    return g;
  }

  private List<Subnet> taken(List<NetworkDefinition> existing) throws IOException {
    List<Subnet> taken = new ArrayList<>(HostRoutes.read(defaults.routeTable()));
    existing.forEach(n -> taken.add(n.subnet()));
    return taken;
  }

  private String freeBridge(List<NetworkDefinition> existing) throws NetworkException {
    Set<String> used = new HashSet<>();
    existing.forEach(n -> used.add(n.bridge()));
    used.add(defaults.bridge());
    String prefix = defaults.bridge().replaceAll("[0-9]+$", "");
    for (int i = 1; i < MAX_BRIDGES; i++) {
      // An interface the host has (a network of another definitions directory) is not reused.
      if (!used.contains(prefix + i) && !Files.exists(Path.of("/sys/class/net", prefix + i))) {
        return prefix + i;
      }
    }
    throw new NetworkException("no free bridge interface name left");
  }

  private void write(NetworkDefinition n) throws IOException {
    Files.createDirectories(dir);
    AtomicFiles.write(record(n.name()), JsonWriter.toBytes(n, NetworkDefinitionCodec.INSTANCE));
  }

  private static String now() {
    return dev.lamina.runner.internal.InstantText.of(
        Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  /**
   * The default network. It is implicit: made from the defaults each time, and written only when
   * the preferred subnet clashes with a route the host has (other than the default bridge's own)
   * and another had to be picked, so that every later command agrees on it. A subnet the user
   * gave wins over a written one.
   *
   * @throws NetworkException when every candidate subnet clashes
   */
  public NetworkDefinition defaultNetwork() throws IOException {
    if (defaults.subnetGiven()) {
      return implicitDefault(defaults.preferredSubnet());
    }
    Optional<NetworkDefinition> written = readRecord(defaults.name());
    if (written.isPresent()) {
      return written.get();
    }
    if (defaultSubnetFree(defaults.preferredSubnet())) {
      return implicitDefault(defaults.preferredSubnet());
    }
    return FileLocks.withExclusive(
        lockFile(),
        () -> {
          Optional<NetworkDefinition> again = readRecord(defaults.name());
          if (again.isPresent()) {
            return again.get();
          }
          List<Subnet> taken = new ArrayList<>(HostRoutes.read(defaults.routeTable(), defaults.bridge()));
          userNetworks().forEach(n -> taken.add(n.subnet()));
          Subnet subnet =
              SubnetChooser.choose(SubnetChooser.defaultCandidates(defaults.preferredSubnet()), taken)
                  .orElseThrow(
                      () ->
                          new NetworkException(
                              "no free subnet for the default network: every candidate clashes with a host route or another network"));
          NetworkDefinition n = implicitDefault(subnet);
          write(n);
          return n;
        });
  }

  private boolean defaultSubnetFree(Subnet s) throws IOException {
    for (Subnet route : HostRoutes.read(defaults.routeTable(), defaults.bridge())) {
      if (route.overlaps(s)) {
        return false;
      }
    }
    for (NetworkDefinition n : userNetworks()) {
      if (n.subnet().overlaps(s)) {
        return false;
      }
    }
    return true;
  }

  /** The default network on {@code subnet}; its id depends on its name alone, as podman's does. */
  private NetworkDefinition implicitDefault(Subnet subnet) {
    return new NetworkDefinition(
        defaults.name(),
        Digest.sha256("lamina network " + defaults.name()).hex(),
        defaults.bridge(),
        now(),
        subnet,
        subnet.host(1),
        false,
        false,
        java.util.Map.of());
  }

  /**
   * The network {@code name}, if it exists (the default one always does).
   *
   * @throws NetworkException for an invalid name
   */
  public Optional<NetworkDefinition> find(String name) throws IOException {
    if (name.equals(defaults.name())) {
      return Optional.of(defaultNetwork());
    }
    return readRecord(name);
  }

  private Optional<NetworkDefinition> readRecord(String name) throws IOException {
    Path p = record(name);
    if (!Files.isRegularFile(p)) {
      return Optional.empty();
    }
    return Optional.of(JsonFiles.read(p, NetworkDefinitionCodec.INSTANCE));
  }

  /**
   * The network {@code name}; the default one is created when asked for.
   *
   * @throws NetworkException when there is no such network
   */
  public NetworkDefinition inspect(String name) throws IOException {
    return find(name).orElseThrow(() -> new NetworkException("network not found: " + name));
  }

  /**
   * Every network, the default one included, sorted by name.
   *
   * @throws IOException if a record cannot be read
   */
  public List<NetworkDefinition> list() throws IOException {
    List<NetworkDefinition> out = userNetworks();
    out.add(defaultNetwork());
    out.sort((a, b) -> a.name().compareTo(b.name()));
    return out;
  }

  /** The networks written in the definitions directory, less the default one. */
  private List<NetworkDefinition> userNetworks() throws IOException {
    List<NetworkDefinition> out = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path e : entries) {
        String file = e.getFileName().toString();
        String name = file.substring(0, file.length() - SUFFIX.length());
        if (NAME.matcher(name).matches() && !name.equals(defaults.name())
            && Files.isRegularFile(e)) {
          out.add(JsonFiles.read(e, NetworkDefinitionCodec.INSTANCE));
        }
      }
    }
    return out;
  }

  /**
   * Removes a network.
   *
   * @throws NetworkException when it does not exist, is the default one, or is in use
   */
  public void remove(String name) throws IOException {
    Path p = record(name);
    if (name.equals(defaults.name())) {
      throw new NetworkException("default network " + name + " cannot be removed");
    }
    FileLocks.withExclusive(
        lockFile(),
        () -> {
          if (!Files.isRegularFile(p)) {
            throw new NetworkException("network not found: " + name);
          }
          if (inUse().contains(name)) {
            throw new NetworkException(
                "network " + name + " is in use by a container; remove the container first");
          }
          Files.delete(p);
          AddressAllocator.forgetNetwork(this, name);
          return null;
        });
  }

  /**
   * Removes every network no container uses, except the default one.
   *
   * @return the names removed
   * @throws IOException if listing or deleting fails
   */
  public List<String> prune() throws IOException {
    return prune(n -> true);
  }

  /**
   * Like {@link #prune()}, removing only the unused networks {@code selected} accepts ({@code
   * --filter until=...,label=...}).
   *
   * @return the names removed
   * @throws IOException if listing or deleting fails
   */
  public List<String> prune(java.util.function.Predicate<NetworkDefinition> selected)
      throws IOException {
    return FileLocks.withExclusive(
        lockFile(),
        () -> {
          Set<String> used = inUse();
          List<String> removed = new ArrayList<>();
          for (NetworkDefinition n : list()) {
            if (!n.name().equals(defaults.name()) && !used.contains(n.name())
                && selected.test(n)) {
              Files.delete(record(n.name()));
              AddressAllocator.forgetNetwork(this, n.name());
              removed.add(n.name());
            }
          }
          return removed;
        });
  }

  /** Networks containers are configured for, and networks with an address handed out. */
  private Set<String> inUse() throws IOException {
    Set<String> used = new HashSet<>(users.networksInUse());
    used.addAll(AddressAllocator.networksWithLeases(this));
    return used;
  }
}
