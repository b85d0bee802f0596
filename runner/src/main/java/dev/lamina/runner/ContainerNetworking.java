package dev.lamina.runner;

import dev.lamina.runner.internal.Background;
import dev.lamina.runner.network.HostPorts;
import dev.lamina.runner.network.HostsEntries;
import dev.lamina.runner.network.NetavarkNotFoundException;
import dev.lamina.runner.network.NetworkAttachment;
import dev.lamina.runner.network.NetworkDefaults;
import dev.lamina.runner.network.NetworkRegistry;
import dev.lamina.runner.network.NetworkException;
import dev.lamina.runner.network.NetworkNamespace;
import dev.lamina.runner.network.NetworkRequest;
import dev.lamina.runner.network.NetworkStatus;
import dev.lamina.runner.network.Pasta;
import dev.lamina.runner.network.PortMapping;
import dev.lamina.runner.network.Networks;
import dev.lamina.runner.network.PortSpecs;
import dev.lamina.runner.network.ResolvConf;
import dev.lamina.runner.spec.ContainerOptions;
import dev.lamina.runner.spec.EtcFiles;
import dev.lamina.runner.spec.Network;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The containers' side of networking: checks a container's {@code --network} when it is created,
 * gives it a pinned namespace on its networks at each start and takes it away when it stops or is
 * removed, and writes its {@code /etc/hosts} and {@code /etc/resolv.conf} from what it was given.
 */
final class ContainerNetworking {
  private final Networks networks;
  private final ContainerStore store;

  private final Path laminaRoot;
  private final NetworkDefaults defaults;

  /**
   * The host's networks, with the namespaces and attachments of the store at {@code laminaRoot}
   * in its run-time directory ({@link dev.lamina.runner.network.NetworkDirectories#store}); the
   * containers' records in {@code store} say which networks are in use.
   */
  ContainerNetworking(ContainerStore store, Path laminaRoot, NetworkDefaults defaults) {
    this.store = store;
    this.laminaRoot = laminaRoot;
    this.defaults = defaults;
    this.networks =
        Networks.open(defaults.directories().store(laminaRoot), this::networksInUse, defaults);
  }

  Networks networks() {
    return networks;
  }

  /**
   * Checks {@code n} before anything of the container exists: its networks must exist (the
   * default one is made now), its ports must not repeat, and the container it joins must exist and
   * have a namespace of its own. Returns it with that container named by id.
   *
   * @throws NetworkException for an unknown network or container, or bad ports
   */
  ContainerNetwork check(ContainerNetwork n) throws IOException {
    switch (n.mode()) {
      case BRIDGE -> {
        if (dev.lamina.layerfs.posix.Rootless.active()) {
          // netavark needs the host's network namespace, which a user's namespace does not own.
          throw new NetworkException("bridge networks are not available to an unprivileged user"
              + " yet; use --network pasta (a user's default), none or host");
        }
        NetworkRequest r = n.request();
        // Named now, so that every later start (in a monitor, with its own defaults) joins the
        // same network; the default one is made on first use.
        // Each once: `bridge` and the default network's name are one network.
        java.util.LinkedHashSet<String> names = new java.util.LinkedHashSet<>();
        if (r.networks().isEmpty()) {
          names.add(networks.registry().defaultNetwork().name());
        }
        for (String name : r.networks()) {
          names.add(
              name.equals("bridge")
                  ? networks.registry().defaultNetwork().name()
                  : networks.registry().inspect(name).name());
        }
        if (r.staticIp() != null && names.size() > 1) {
          // As podman: an address belongs to one network's subnet.
          throw new NetworkException(
              "--ip can only be given with a single network; " + names.size() + " networks given");
        }
        return n.withRequest(r.withNetworks(List.copyOf(names)));
      }
      case CONTAINER -> {
        ContainerRecord other;
        try {
          other = store.find(n.container());
        } catch (ContainerException e) {
          throw new NetworkException("--network container:" + n.container() + ": no such container");
        }
        // Bridge networks and pasta both give a container a namespace of its own to join.
        if (!other.networkMode().ownNamespace()) {
          throw new NetworkException(
              "--network container:" + n.container()
                  + ": that container has no network namespace of its own (its network is "
                  + other.networkMode().mode().name().toLowerCase(java.util.Locale.ROOT) + ")");
        }
        return n.withContainer(other.id());
      }
      default -> {
        return n;
      }
    }
  }

  /** {@code options} with the namespace {@code n} puts container {@code id} in. */
  ContainerOptions.Builder apply(ContainerOptions.Builder options, String id, ContainerNetwork n) {
    return switch (n.mode()) {
      case HOST -> options.network(Network.HOST);
      case NONE -> options.network(Network.NONE);
      case BRIDGE, PASTA -> options.network(Network.NONE)
          .networkNamespace(networks.namespacePath(id).toString());
      case CONTAINER -> options.network(Network.NONE)
          .networkNamespace(networks.namespacePath(n.container()).toString());
    };
  }

  /** What {@link EtcFiles} writes for a container on {@code n}. */
  static Network etcNetwork(ContainerNetwork n) {
    return n.mode() == ContainerNetwork.Mode.HOST ? Network.HOST : Network.NONE;
  }

  /**
   * Before the container runs: pins its namespace and puts it on its networks (with {@code
   * --network container:} checks that the other one's namespace is there), and writes its
   * {@code /etc} files. The namespace is pinned when this returns, so that the runtime can create
   * the container in it; the networks are set up meanwhile on a thread of their own (netavark's
   * setup is most of a start's time, and needs nothing of the container but its namespace). The
   * container must not start before {@link Background#await} has returned what its networks gave
   * it (null without a namespace of its own): its interfaces, routes and {@code /etc} files are
   * ready then. The {@code /etc} files are written in place, as the runtime may have bind-mounted
   * them already.
   *
   * @throws NetworkException when the namespace cannot be made (nothing of it is left then), or
   *     from {@code await} when setup fails: the namespace is left pinned then, for the end of the
   *     run ({@link #tearDown}) to remove once the runtime has let go of it
   */
  Background<NetworkStatus> begin(ContainerRecord r, Path cdir) throws IOException {
    ContainerNetwork n = r.networkMode();
    if (n.mode() == ContainerNetwork.Mode.CONTAINER) {
      Path ns = networks.namespacePath(n.container());
      if (!NetworkNamespace.isPinned(ns)) {
        throw new NetworkException(
            "cannot join the network of container " + n.container().substring(0, 12)
                + ": it is not running");
      }
      // Names resolve as in the other container, as podman and docker make it.
      EtcFiles.shareNames(cdir, store.dir(n.container()),
          r.hostname() != null ? r.hostname() : r.shortId(), r.name());
      return Background.done(null);
    }
    if (!n.ownNamespace()) {
      return Background.done(null);
    }
    Path ns = networks.namespacePath(r.id());
    // Left by a run that could not tidy up (a killed monitor): start afresh.
    tearDown(r.id(), n);
    boolean firstOfStore;
    try {
      // Pinned where a sweep of removed stores' directories cannot delete it meanwhile.
      firstOfStore = StoreNetworkDirs.pinning(
          networks.runtimeDirectory(), laminaRoot, () -> NetworkNamespace.create(ns));
    } catch (IOException | RuntimeException e) {
      try {
        tearDown(r.id(), n);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    // A failed setup leaves the namespace pinned (netavark undoes its own part): the runtime may
    // be creating the container in it, and the end of the failed run tears it down.
    Background<NetworkStatus> setup = Background.start("network-setup", () -> {
      NetworkStatus status = join(r, ns);
      writeEtc(cdir, r, status, true);
      return status;
    });
    if (firstOfStore) {
      // Where a store's directory is made, those of removed stores go: once per store (not on
      // every run), a listing of the stores' directories, while netavark sets this one up.
      StoreNetworkDirs.removeLeftOver(networks.runtimeDirectory(), defaults);
    }
    return setup;
  }

  /** Puts the namespace pinned at {@code ns} on the networks {@code r} names. */
  private NetworkStatus join(ContainerRecord r, Path ns) throws IOException {
    ContainerNetwork n = r.networkMode();
    NetworkRequest request = n.request();
    if (request.containerName() == null || !request.containerName().equals(r.name())) {
      request = request.withContainerName(r.name());
    }
    if (n.mode() == ContainerNetwork.Mode.PASTA) {
      List<PortMapping> ports = HostPorts.resolve(request.ports());
      Pasta.attach(ns, ports);
      return new NetworkStatus(List.of(), ports);
    }
    try {
      return networks.attach(r.id(), ns, request);
    } catch (NetavarkNotFoundException e) {
      throw new NetavarkNotFoundException(
          e.getMessage() + "; or run the container with --network host or none");
    }
  }

  /**
   * Takes container {@code id} off its networks and unpins its namespace; nothing when it has
   * none, or it is already gone. Both steps are tried, whatever the first did.
   */
  void tearDown(String id, ContainerNetwork n) throws IOException {
    if (n.ownNamespace()) {
      tearDown(id, n.mode() == ContainerNetwork.Mode.BRIDGE);
    }
  }

  /**
   * {@link #tearDown} on a thread of its own, awaited once the caller has done its other work
   * (netavark's teardown is most of the end of a run).
   */
  Background<Void> tearDownMeanwhile(String id, ContainerNetwork n) {
    if (!n.ownNamespace()) {
      return Background.done(null);
    }
    return Background.start("network-teardown", () -> {
      tearDown(id, n);
      return null;
    });
  }

  private void tearDown(String id) throws IOException {
    tearDown(id, true);
  }

  /** Unpins the namespace; pasta, watching its file, then exits by itself. */
  private void tearDown(String id, boolean onNetworks) throws IOException {
    Path ns = networks.namespacePath(id);
    IOException failure = null;
    try {
      if (onNetworks) {
        networks.detach(id, ns);
      }
    } catch (IOException e) {
      failure = e;
    }
    try {
      NetworkNamespace.remove(ns);
    } catch (IOException e) {
      if (failure == null) {
        failure = e;
      } else {
        failure.addSuppressed(e);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * {@code network connect}: joins {@code r} to one more network, at once when it runs (netavark
   * sets up just that network in its namespace), and at every later start (its record keeps the
   * connection). Returns the record as changed, or null when the container was removed meanwhile.
   *
   * @throws NetworkException when it has no namespace of its own, the network is unknown or
   *     joined already, or setup fails (nothing of it is left then)
   */
  ContainerRecord connect(ContainerRecord r, NetworkRequest.Connection asked) throws IOException {
    ContainerNetwork n = ownNamespace(r, "connect");
    String name = asked.network().equals("bridge")
        ? networks.registry().defaultName()
        : networks.registry().inspect(asked.network()).name();
    NetworkRequest.Connection c = new NetworkRequest.Connection(name, asked.aliases(), asked.staticIp());
    if (n.request().allNetworks().contains(name)) {
      throw new NetworkException("container " + r.name() + " is already connected to network " + name);
    }
    Path ns = networks.namespacePath(r.id());
    NetworkAttachment joined = null;
    if (r.state() == ContainerState.RUNNING && NetworkNamespace.isPinned(ns)) {
      joined = networks.connect(r.id(), ns, r.name(), c, n.request().dnsServers());
    }
    NetworkAttachment added = joined;
    ContainerRecord out =
        store.update(
            r.id(),
            cur -> {
              ContainerRecord next =
                  cur.toBuilder()
                      .network(cur.networkMode().withRequest(cur.networkMode().request().withConnection(c)))
                      .build();
              NetworkStatus st = cur.networkStatus();
              if (added != null && st != null) {
                List<NetworkAttachment> all = new ArrayList<>(st.attachments());
                all.add(added);
                next = next.withNetworkStatus(new NetworkStatus(all, st.ports()));
              }
              return next;
            });
    if (added != null && (out == null || out.state() != ContainerState.RUNNING)) {
      // It stopped (or went) while being connected: its teardown may have missed this network.
      networks.disconnect(r.id(), name, ns);
    } else if (added != null) {
      // Its new address in /etc/hosts, and aardvark-dns in resolv.conf on a network with DNS.
      writeEtc(store.dir(r.id()), out, out.networkStatus(), true);
    }
    return out;
  }

  /**
   * {@code network disconnect}: takes {@code r} off {@code network}, at once when it runs, and
   * for good. With {@code force}, a teardown failure is not reported (the record changes all the
   * same, as the address and netavark's record are given up anyway).
   *
   * @throws NetworkException when it is not on that network, or it is its last network
   */
  ContainerRecord disconnect(ContainerRecord r, String network, boolean force) throws IOException {
    ContainerNetwork n = ownNamespace(r, "disconnect");
    String name = network.equals("bridge") ? networks.registry().defaultName() : network;
    NetworkRegistry.validateName(name);
    List<String> joined = n.request().allNetworks();
    if (!joined.contains(name)) {
      throw new NetworkException("container " + r.name() + " is not connected to network " + name);
    }
    if (joined.size() == 1) {
      throw new NetworkException(
          "network " + name + " is the only network of container " + r.name()
              + "; stop it, or create it with --network none");
    }
    Path ns = networks.namespacePath(r.id());
    if (networks.connected(r.id()).contains(name)) {
      try {
        networks.disconnect(r.id(), name, ns);
      } catch (IOException e) {
        if (!force) {
          throw e;
        }
      }
    }
    ContainerRecord out = store.update(
        r.id(),
        cur -> {
          ContainerRecord next =
              cur.toBuilder()
                  .network(cur.networkMode().withRequest(cur.networkMode().request().without(name)))
                  .build();
          NetworkStatus st = cur.networkStatus();
          if (st != null) {
            List<NetworkAttachment> left =
                st.attachments().stream().filter(a -> !a.network().equals(name)).toList();
            // Ports are published on the first network: gone with it until the next start.
            boolean portsGone = !st.attachments().isEmpty() && st.attachments().get(0).network().equals(name);
            next = next.withNetworkStatus(new NetworkStatus(left, portsGone ? List.of() : st.ports()));
          }
          return next;
        });
    if (out != null && out.state() == ContainerState.RUNNING && out.networkStatus() != null) {
      writeEtc(store.dir(r.id()), out, out.networkStatus(), true);
    }
    return out;
  }

  private static ContainerNetwork ownNamespace(ContainerRecord r, String verb) throws NetworkException {
    ContainerNetwork n = r.networkMode();
    if (n.mode() != ContainerNetwork.Mode.BRIDGE) {
      throw new NetworkException(
          "cannot " + verb + " container " + r.name() + ": it has no network namespace of its own (--network "
              + (n.mode() == ContainerNetwork.Mode.CONTAINER ? "container:" : n.mode().name().toLowerCase(java.util.Locale.ROOT))
              + ")");
    }
    return n;
  }

  /**
   * The container's {@code /etc/hosts} and {@code /etc/resolv.conf} (those it does not bind
   * itself): loopback, its own addresses and {@code --add-host} lines; aardvark-dns on networks
   * with DNS, else the host's resolvers, with {@code --dns} and friends applied.
   */
  void writeEtc(Path cdir, ContainerRecord r, NetworkStatus status) throws IOException {
    writeEtc(cdir, r, status, false);
  }

  /** The same; {@code running}: the container runs, and sees the files change in place. */
  private void writeEtc(Path cdir, ContainerRecord r, NetworkStatus status, boolean running)
      throws IOException {
    ContainerNetwork n = r.networkMode();
    if (status == null && n.extraHosts().isEmpty() && n.dns().isEmpty()
        && n.dnsSearch().isEmpty() && n.dnsOptions().isEmpty()) {
      return;
    }
    EtcFiles etc = EtcFiles.ofHost();
    EtcFiles.Setup setup = EtcFiles.Setup.container(r.hostname(), etcNetwork(n));
    boolean ownAddress = status != null && !status.attachments().isEmpty();
    StringBuilder hosts =
        new StringBuilder(ownAddress ? EtcFiles.loopbackHosts() : etc.hostsText(setup));
    if (status != null) {
      for (String line : HostsEntries.forContainer(status, r.hostname(), r.name())) {
        hosts.append(line).append('\n');
      }
    }
    for (String line : n.extraHosts()) {
      hosts.append(line).append('\n');
    }
    write(cdir, "hosts", hosts.toString(), running);
    if (status != null || !n.dns().isEmpty() || !n.dnsSearch().isEmpty() || !n.dnsOptions().isEmpty()) {
      ResolvConf conf =
          ResolvConf.forContainer(
              status == null ? new NetworkStatus(List.of(), List.of()) : status,
              etc.resolvConfText(setup), n.dns(), n.dnsSearch(), n.dnsOptions());
      write(cdir, "resolv.conf", conf.render(), running);
    }
  }

  private static void write(Path cdir, String file, String content, boolean running)
      throws IOException {
    if (running) {
      EtcFiles.rewriteInPlace(cdir, file, content);
    } else {
      EtcFiles.rewrite(cdir, file, content);
    }
  }

  /**
   * What {@code inspect} shows of {@code r}'s networks: while it runs, what they gave it; when it
   * does not run (created, exited), each network it joins at its start, with its aliases there
   * but no address, as podman shows them; null without networks of its own.
   */
  NetworkStatus shownStatus(ContainerRecord r) throws IOException {
    if (r.networkStatus() != null) {
      return r.networkStatus();
    }
    ContainerNetwork n = r.networkMode();
    if (n.mode() != ContainerNetwork.Mode.BRIDGE || r.state() == ContainerState.RUNNING) {
      return null;
    }
    NetworkRequest request = n.request();
    // The networks of its --network (the default one when none is named), then those connected.
    List<NetworkRequest.Connection> joins = new ArrayList<>();
    for (String name : request.networks().isEmpty() ? List.of("bridge") : request.networks()) {
      joins.add(new NetworkRequest.Connection(name, request.aliases(), null));
    }
    joins.addAll(request.connections());
    List<NetworkAttachment> shown = new ArrayList<>();
    for (NetworkRequest.Connection join : joins) {
      String name = join.network().equals("bridge")
          ? networks.registry().defaultName() : join.network();
      String id = "";
      List<String> aliases = new ArrayList<>();
      try {
        dev.lamina.runner.network.NetworkDefinition d = networks.registry().inspect(name);
        id = d.id();
        if (d.dnsEnabled()) {
          // As its setup will name it there (NetavarkStatus): its name, then its aliases.
          aliases.add(r.name());
          join.aliases().stream().filter(a -> !aliases.contains(a)).forEach(aliases::add);
        }
      } catch (NetworkException gone) {
        // Removed meanwhile: shown by name alone.
      }
      shown.add(new NetworkAttachment(
          name, id, "", "", 0, null, "", List.of(), List.of(), aliases));
    }
    return new NetworkStatus(shown, List.of());
  }

  /** The networks containers are configured to join: {@code network rm} spares them. */
  Set<String> networksInUse() throws IOException {
    Set<String> used = new HashSet<>();
    for (ContainerRecord r : store.readAll()) {
      ContainerNetwork n = r.networkMode();
      if (n.mode() == ContainerNetwork.Mode.BRIDGE) {
        List<String> names = n.request().allNetworks();
        if (names.isEmpty()) {
          used.add(networks.registry().defaultName());
        }
        for (String name : names) {
          used.add(name.equals("bridge") ? networks.registry().defaultName() : name);
        }
      }
    }
    return used;
  }

  /**
   * Takes off their networks the containers that are attached but not recorded as running (a
   * lost record, a run that could not tidy up), unpins namespaces nobody runs in, and gives back
   * the addresses of stopped containers (after a host restart); leases of others (build steps)
   * are left alone; then deletes the directories of removed stores ({@link StoreNetworkDirs}).
   * Returns the ids it tidied.
   */
  List<String> reconcile() throws IOException {
    List<String> tidied = new ArrayList<>();
    Set<String> live = new HashSet<>();
    for (ContainerRecord r : store.readAll()) {
      // A running container whose monitor died may live on; refreshing it tidies it when not.
      if (r.state() == ContainerState.RUNNING) {
        live.add(r.id());
      }
    }
    Set<String> candidates = new HashSet<>(networks.attached());
    Path nsDir = networks.namespacePath("x").getParent();
    if (Files.isDirectory(nsDir)) {
      try (var files = Files.list(nsDir)) {
        files.map(p -> p.getFileName().toString())
            .filter(f -> f.matches("[0-9a-f]{64}"))
            .forEach(candidates::add);
      }
    }
    for (String id : candidates) {
      if (!live.contains(id)) {
        tearDown(id);
        tidied.add(id);
      }
    }
    // A lease outlives its attachment when a teardown failed half-way. Only those of this
    // store's containers that are recorded and stopped: builds and other stores hold leases too.
    Set<String> stopped = new HashSet<>();
    for (ContainerRecord r : store.readAll()) {
      if (r.state() != ContainerState.RUNNING) {
        stopped.add(r.id());
      }
    }
    for (var n : networks.registry().list()) {
      for (String id : networks.addresses().leases(n.name()).keySet()) {
        if (stopped.contains(id) && !networks.attached().contains(id)) {
          networks.addresses().release(n.name(), id);
          if (!tidied.contains(id)) {
            tidied.add(id);
          }
        }
      }
    }
    StoreNetworkDirs.removeLeftOver(networks.runtimeDirectory(), defaults);
    return tidied;
  }
}
