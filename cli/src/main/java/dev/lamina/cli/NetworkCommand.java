package dev.lamina.cli;

import dev.lamina.layerfs.oci.Json;
import dev.lamina.runner.network.NetworkCreateRequest;
import dev.lamina.runner.network.NetworkDefaults;
import dev.lamina.runner.network.NetworkDefinition;
import dev.lamina.runner.network.NetworkRegistry;
import dev.lamina.runner.network.NetworkRequest;
import dev.lamina.runner.network.Subnet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lamina network create|ls|inspect|rm|prune}, with podman's output. */
@Command(
    name = "network",
    description = "Manage networks.",
    subcommands = {
      NetworkCommand.Create.class,
      NetworkCommand.Ls.class,
      NetworkCommand.Inspect.class,
      NetworkCommand.Rm.class,
      NetworkCommand.Prune.class,
      NetworkCommand.Connect.class,
      NetworkCommand.Disconnect.class,
    })
final class NetworkCommand implements Runnable {
  /** Overrides the default network's preferred subnet (podman's {@code default_subnet}). */
  static final String DEFAULT_SUBNET_ENV = "LAMINA_DEFAULT_SUBNET";

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw CommandGroups.subcommandRequired(spec);
  }

  static NetworkRegistry registry(StoreOptions store) {
    // The containers' records say which networks are in use: rm and prune spare those.
    return ContainerSupport.open(store.root()).networks().registry();
  }

  /** {@code --network-config-dir}, or null; set while the command line is parsed. */
  static Path configDir;

  /**
   * Where networks live and how the default network is made: the standard ones, with {@code
   * --network-config-dir} and {@value #DEFAULT_SUBNET_ENV}.
   */
  static NetworkDefaults defaults() {
    NetworkDefaults defaults = NetworkDefaults.standard();
    if (configDir != null) {
      if (configDir.toString().isEmpty()) {
        throw new UserException("--network-config-dir is empty; name a directory", ExitCodes.ERROR);
      }
      defaults = defaults.withDirectories(defaults.directories().withConfig(configDir));
    }
    String subnet = System.getenv(DEFAULT_SUBNET_ENV);
    if (subnet != null && !subnet.isBlank()) {
      try {
        defaults = defaults.withSubnet(Subnet.parse(subnet.strip()));
      } catch (IllegalArgumentException e) {
        throw new UserException(DEFAULT_SUBNET_ENV + ": " + e.getMessage(), ExitCodes.ERROR);
      }
    }
    return defaults;
  }

  static Object json(NetworkDefinition n) throws IOException {
    return Json.mapper().readValue(n.toJson(), Map.class);
  }

  /** Creates a network and prints its name. */
  @Command(name = "create", description = "Create a bridge network.")
  static final class Create implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Option(names = "--subnet", paramLabel = "CIDR", description = "IPv4 subnet (default: a free 10.89.N.0/24).")
    String subnet;

    @Option(names = "--gateway", paramLabel = "IP", description = "Gateway address (default: the subnet's first).")
    String gateway;

    @Option(names = "--internal", description = "No outbound access.")
    boolean internal;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Set a label (repeatable).")
    List<String> labels = new ArrayList<>();

    @Option(names = {"-d", "--driver"}, paramLabel = "DRIVER", description = "Only bridge.", defaultValue = "bridge")
    String driver;

    @Parameters(index = "0", paramLabel = "NAME", description = "Network name.")
    String name;

    @Override
    public Integer call() throws Exception {
      if (!driver.equals("bridge")) {
        throw new UserException("unsupported network driver " + driver + " (only bridge)", ExitCodes.ERROR);
      }
      Map<String, String> l = new LinkedHashMap<>();
      for (String kv : labels) {
        int eq = kv.indexOf('=');
        l.put(eq < 0 ? kv : kv.substring(0, eq), eq < 0 ? "" : kv.substring(eq + 1));
      }
      NetworkDefinition n =
          registry(store).create(new NetworkCreateRequest(name, subnet, gateway, internal, l));
      Output.out().println(n.name());
      return ExitCodes.OK;
    }
  }

  /** Lists networks; the default one is always there. */
  @Command(name = "ls", aliases = "list", description = "List networks.")
  static final class Ls implements Callable<Integer> {
    @Mixin StoreOptions store;
    @Mixin FormatOption format;

    @Option(names = {"-q", "--quiet"}, description = "Only show names.")
    boolean quiet;

    @Option(
        names = {"-f", "--filter"},
        paramLabel = "KEY=VALUE",
        description = "Only networks that match: name, id, driver, label, type (custom or"
            + " builtin), scope, dangling (repeatable).")
    List<String> filters = List.of();

    @Override
    public Integer call() throws Exception {
      Filters f = Filters.parse(filters,
          java.util.Set.of("name", "id", "driver", "label", "type", "scope", "dangling"));
      for (String t : f.get("type")) {
        if (!t.equals("custom") && !t.equals("builtin")) {
          throw new UserException("invalid filter 'type=" + t + "' (custom or builtin)",
              ExitCodes.USAGE);
        }
      }
      Boolean dangling = f.bool("dangling");
      NetworkRegistry r = registry(store);
      NetworkDefinition builtin = r.defaultNetwork();
      java.util.Set<String> used = new java.util.HashSet<>();
      if (dangling != null) {
        for (dev.lamina.runner.ContainerRecord c : ContainerSupport.open(store.root()).list(true)) {
          used.addAll(ContainerView.networks(c));
        }
      }
      List<NetworkDefinition> all = new ArrayList<>();
      for (NetworkDefinition n : r.list()) {
        boolean isBuiltin = n.name().equals(builtin.name());
        if (f.any("name", v -> Filters.nameMatches(v, n.name()))
            && f.any("id", v -> n.id().startsWith(v))
            && f.any("driver", v -> v.equals(NetworkDefinition.DRIVER))
            && f.any("scope", v -> v.equals("local"))
            && f.any("type", v -> v.equals(isBuiltin ? "builtin" : "custom"))
            && f.labels(n.labels())
            && (dangling == null || dangling != (isBuiltin || used.contains(n.name())))) {
          all.add(n);
        }
      }
      List<Map<String, Object>> templateRows = new ArrayList<>();
      if (!format.json() && !format.defaultTable()) {
        for (NetworkDefinition n : all) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("ID", n.shortId());
          row.put("Name", n.name());
          row.put("Driver", NetworkDefinition.DRIVER);
          row.put("Scope", "local");
          row.put("IPv6", false);
          row.put("Internal", n.internal());
          List<String> kv = new ArrayList<>();
          new java.util.TreeMap<>(n.labels()).forEach((k, v) -> kv.add(k + "=" + v));
          row.put("Labels", String.join(",", kv));
          row.put("CreatedAt", n.created());
          templateRows.add(row);
        }
      }
      if (format.printed(templateRows, Map.of("ID", "NETWORK ID"))) {
        return ExitCodes.OK;
      }
      if (format.json()) {
        List<Object> out = new ArrayList<>();
        for (NetworkDefinition n : all) {
          out.add(json(n));
        }
        Output.json(out);
      } else if (quiet) {
        all.forEach(n -> Output.out().println(n.name()));
      } else {
        List<List<String>> rows = new ArrayList<>();
        all.forEach(n -> rows.add(List.of(n.shortId(), n.name(), NetworkDefinition.DRIVER)));
        Output.table(List.of("NETWORK ID", "NAME", "DRIVER"), rows);
      }
      return ExitCodes.OK;
    }
  }

  /** Details of networks as podman's network JSON. */
  @Command(name = "inspect", description = "Show details of networks as JSON.")
  static final class Inspect implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Network names.")
    List<String> names;

    @Mixin InspectFormat format;

    @Override
    public Integer call() throws Exception {
      NetworkRegistry r = registry(store);
      List<Object> out = new ArrayList<>();
      for (String n : names) {
        out.add(json(r.inspect(n)));
      }
      format.print(out);
      return ExitCodes.OK;
    }
  }

  /** Removes networks no container uses. */
  @Command(name = "rm", aliases = "remove", description = "Remove networks (refused while a container uses one).")
  static final class Rm implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Option(names = {"-f", "--force"}, description = "Accepted for compatibility.")
    boolean force;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Network names.")
    List<String> names;

    @Override
    public Integer call() {
      NetworkRegistry r = registry(store);
      return Each.apply(names, r::remove);
    }
  }

  /** Removes every unused network but the default one. */
  @Command(name = "prune", description = "Remove networks no container uses (never the default one).")
  static final class Prune implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Mixin PruneOptions options;

    @Override
    public Integer call() throws Exception {
      prune(store, options.filter()).forEach(Output.out()::println);
      return ExitCodes.OK;
    }

    /** Removes the unused networks {@code filter} accepts; what system prune runs too. */
    static List<String> prune(StoreOptions store, PruneFilter filter) throws IOException {
      return registry(store).prune(n -> filter.matches(n.created(), n.labels()));
    }
  }

  /** Joins a container to one more network: at once when it runs, and at every later start. */
  @Command(name = "connect", description = "Connect a container to a network.")
  static final class Connect implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Option(names = "--alias", paramLabel = "NAME", description = "Another name on the network (repeatable).")
    List<String> aliases = new ArrayList<>();

    @Option(names = "--ip", paramLabel = "IP", description = "The container's address on the network.")
    String ip;

    @Parameters(index = "0", paramLabel = "NETWORK", description = "Network name.")
    String network;

    @Parameters(index = "1", paramLabel = "CONTAINER", description = "Container name or id.")
    String container;

    @Override
    public Integer call() throws Exception {
      ContainerSupport.open(store.root())
          .connect(container, new NetworkRequest.Connection(network, aliases, ip));
      return ExitCodes.OK;
    }
  }

  /** Takes a container off a network: at once when it runs, and for good. */
  @Command(name = "disconnect", description = "Disconnect a container from a network.")
  static final class Disconnect implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Option(names = {"-f", "--force"}, description = "Disconnect even if the network's teardown fails.")
    boolean force;

    @Parameters(index = "0", paramLabel = "NETWORK", description = "Network name.")
    String network;

    @Parameters(index = "1", paramLabel = "CONTAINER", description = "Container name or id.")
    String container;

    @Override
    public Integer call() throws Exception {
      ContainerSupport.open(store.root()).disconnect(container, network, force);
      return ExitCodes.OK;
    }
  }
}
