package dev.lamina.cli;

import dev.lamina.runner.volume.Volume;
import dev.lamina.runner.volume.Volumes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code lamina volume create|ls|inspect|rm|prune}. */
@Command(
    name = "volume",
    description = "Manage named volumes.",
    subcommands = {
      VolumeCommand.Create.class,
      VolumeCommand.Ls.class,
      VolumeCommand.Inspect.class,
      VolumeCommand.Rm.class,
      VolumeCommand.Prune.class,
    })
final class VolumeCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw CommandGroups.subcommandRequired(spec);
  }

  static Volumes volumes(StoreOptions store) {
    return ContainerSupport.open(store.root()).volumes();
  }

  static Map<String, Object> json(Volume v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("Name", v.name());
    m.put("Driver", v.driver());
    m.put("Mountpoint", v.mountpoint().toString());
    m.put("CreatedAt", v.created());
    m.put("Anonymous", v.anonymous());
    return m;
  }

  /** Creates a volume (a random name when none is given) and prints its name. */
  @Command(name = "create", description = "Create a volume.")
  static final class Create implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME", description = "Volume name.")
    String name;

    @Override
    public Integer call() throws Exception {
      Volumes v = volumes(store);
      Output.out().println((name == null ? v.createAnonymous() : v.create(name)).name());
      return ExitCodes.OK;
    }
  }

  /** Lists volumes. */
  @Command(name = "ls", aliases = "list", description = "List volumes.")
  static final class Ls implements Callable<Integer> {
    @Mixin StoreOptions store;
    @Mixin FormatOption format;

    @Option(names = {"-q", "--quiet"}, description = "Only show names.")
    boolean quiet;

    @Option(
        names = {"-f", "--filter"},
        paramLabel = "KEY=VALUE",
        description = "Only volumes that match: name, driver, label, dangling (repeatable).")
    List<String> filters = List.of();

    @Override
    public Integer call() throws Exception {
      Filters f = Filters.parse(filters, java.util.Set.of("name", "driver", "label", "dangling"));
      Boolean dangling = f.bool("dangling");
      java.util.Set<String> used = new java.util.HashSet<>();
      if (dangling != null) {
        for (dev.lamina.runner.ContainerRecord r : ContainerSupport.open(store.root()).list(true)) {
          used.addAll(r.volumes());
        }
      }
      List<Volume> all = new ArrayList<>();
      for (Volume v : volumes(store).list()) {
        if (f.any("name", n -> v.name().contains(n))
            && f.any("driver", d -> d.equals(v.driver()))
            && f.labels(Map.of())
            && (dangling == null || dangling != used.contains(v.name()))) {
          all.add(v);
        }
      }
      List<Map<String, Object>> templateRows = new ArrayList<>();
      if (!format.json() && !format.defaultTable()) {
        for (Volume v : all) {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("Name", v.name());
          row.put("Driver", v.driver());
          row.put("Scope", "local");
          row.put("Mountpoint", v.mountpoint().toString());
          row.put("CreatedAt", v.created());
          row.put("Labels", "");
          row.put("Anonymous", v.anonymous());
          templateRows.add(row);
        }
      }
      if (format.printed(templateRows, Map.of("Name", "VOLUME NAME"))) {
        return ExitCodes.OK;
      }
      if (format.json()) {
        List<Object> out = new ArrayList<>();
        all.forEach(v -> out.add(json(v)));
        Output.json(out);
      } else if (quiet) {
        all.forEach(v -> Output.out().println(v.name()));
      } else {
        List<List<String>> rows = new ArrayList<>();
        all.forEach(v -> rows.add(List.of(v.driver(), v.name())));
        Output.table(List.of("DRIVER", "VOLUME NAME"), rows);
      }
      return ExitCodes.OK;
    }
  }

  /** Details of volumes as JSON. */
  @Command(name = "inspect", description = "Show details of volumes as JSON.")
  static final class Inspect implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Volume names.")
    List<String> names;

    @Mixin InspectFormat format;

    @Override
    public Integer call() throws Exception {
      Volumes v = volumes(store);
      List<Object> out = new ArrayList<>();
      for (String n : names) {
        out.add(json(v.inspect(n)));
      }
      format.print(out);
      return ExitCodes.OK;
    }
  }

  /** Removes volumes no container uses. */
  @Command(name = "rm", aliases = "remove", description = "Remove volumes (refused while a container uses one).")
  static final class Rm implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Option(names = {"-f", "--force"}, description = "Accepted for compatibility.")
    boolean force;

    @Parameters(arity = "1..*", paramLabel = "NAME", description = "Volume names.")
    List<String> names;

    @Override
    public Integer call() {
      Volumes v = volumes(store);
      return Each.apply(names, v::remove);
    }
  }

  /** Removes unused volumes: anonymous ones, or all with -a. */
  @Command(name = "prune", description = "Remove unused anonymous volumes (all unused with -a).")
  static final class Prune implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Option(names = {"-a", "--all"}, description = "Remove unused named volumes too.")
    boolean all;

    @Mixin PruneOptions options;

    @Override
    public Integer call() throws Exception {
      PruneFilter filter = options.filter();
      if (filter.hasUntil()) {
        throw new UserException("invalid filter 'until' (volume prune takes label filters)",
            ExitCodes.USAGE);
      }
      List<String> removed = prune(store, all, filter).names();
      PruneOutput.section("Deleted Volumes:", removed);
      Output.out().println("Total volumes removed: " + removed.size());
      return ExitCodes.OK;
    }

    /**
     * Removes the unused volumes {@code filter} accepts: anonymous ones, or all with {@code all};
     * what system prune runs too. Volumes have no labels or creation filter (docker's volume
     * prune takes no {@code until}): they match as things without labels.
     */
    static Pruned prune(StoreOptions store, boolean all, PruneFilter filter)
        throws java.io.IOException {
      RemovedSizes sizes = new RemovedSizes();
      List<String> removed = volumes(store).prune(all,
          v -> filter.labelsMatch(Map.of()) && sizes.chosen(v.name(), v::directory));
      return new Pruned(removed, sizes.of(removed));
    }

    /** The volumes removed, and the bytes they held. */
    record Pruned(List<String> names, long bytesFreed) {}
  }
}
