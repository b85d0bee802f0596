package dev.lamina.cli;

import dev.lamina.cli.template.TemplateMethod;
import dev.lamina.runner.ContainerRecord;
import dev.lamina.runner.Containers;
import dev.lamina.runner.StatusText;
import dev.lamina.runner.network.NetworkSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lamina ps [-a] [-q] [-l|-n N] [--filter K=V]... [--format table|json|TEMPLATE]}:
 * containers, like {@code docker ps}.
 */
@Command(name = "ps", description = "List containers (running ones, or all with -a).")
class PsCommand implements Callable<Integer> {
  @Mixin StoreOptions store;
  @Mixin FormatOption format;

  @Option(names = {"-a", "--all"}, description = "Show all containers, not only running ones.")
  boolean all;

  @Option(names = {"-q", "--quiet"}, description = "Only show container ids.")
  boolean quiet;

  @Option(names = "--no-trunc", description = "Do not truncate ids and commands.")
  boolean noTrunc;

  @Option(
      names = {"-f", "--filter"},
      paramLabel = "KEY=VALUE",
      description = "Only containers that match: id, name, label, status, ancestor, exited,"
          + " volume, network, before, since, health (repeatable).")
  List<String> filters = List.of();

  @Option(
      names = {"-n", "--last"},
      paramLabel = "N",
      defaultValue = "-1",
      description = "Show the N containers created last, in any state.")
  int last;

  @Option(names = {"-l", "--latest"}, description = "Show the container created last, in any state.")
  boolean latest;

  /** Column titles of {@code --format 'table ...'}, as docker's. */
  static final Map<String, String> TITLES = titles();

  private static Map<String, String> titles() {
    Map<String, String> t = new LinkedHashMap<>();
    t.put("ID", "CONTAINER ID");
    t.put("Image", "IMAGE");
    t.put("Command", "COMMAND");
    t.put("CreatedAt", "CREATED AT");
    t.put("RunningFor", "CREATED");
    t.put("Ports", "PORTS");
    t.put("State", "STATE");
    t.put("Status", "STATUS");
    t.put("Names", "NAMES");
    t.put("Labels", "LABELS");
    t.put("Mounts", "MOUNTS");
    t.put("Networks", "NETWORKS");
    t.put("LocalVolumes", "LOCAL VOLUMES");
    return t;
  }

  @Override
  public Integer call() throws Exception {
    ContainerFilter filter = ContainerFilter.parse(filters);
    int limit = latest ? 1 : last;
    Containers containers = ContainerSupport.open(store.root());
    ContainerView view = new ContainerView(containers, store);
    // -n and -l, and a status filter, look at containers in every state, as docker's do.
    List<ContainerRecord> records =
        containers.list(all || limit > 0 || filter.wantsAll());
    records = filter.apply(records, view, store);
    if (limit >= 0 && records.size() > limit) {
      records = records.subList(0, limit);
    }
    Instant now = Instant.now();
    if (!format.defaultTable()) {
      List<Map<String, Object>> rows = new ArrayList<>();
      records.forEach(r -> rows.add(row(r, now, view)));
      if (format.json()) {
        // As docker's: --format json is {{json .}}, one line per container.
        Output.out().print(FormatOption.render("{{json .}}", rows, TITLES));
        Output.out().flush();
      } else {
        format.printed(rows, TITLES);
      }
      return ExitCodes.OK;
    }
    if (quiet) {
      records.forEach(r -> Output.out().println(noTrunc ? r.id() : r.shortId()));
      return ExitCodes.OK;
    }
    List<List<String>> rows = new ArrayList<>();
    for (ContainerRecord r : records) {
      rows.add(
          List.of(
              noTrunc ? r.id() : r.shortId(),
              r.image(),
              command(r.command(), noTrunc),
              StatusText.created(r, now),
              StatusText.of(r, now),
              ports(r),
              r.name()));
    }
    Output.table(
        List.of("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "PORTS", "NAMES"), rows);
    return ExitCodes.OK;
  }

  /**
   * A row as docker's {@code ps --format} templates name its fields; the ones that need the
   * image's config or the runtime bundle are read only when a template asks for them.
   */
  private Map<String, Object> row(ContainerRecord r, Instant now, ContainerView view) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ID", noTrunc ? r.id() : r.shortId());
    m.put("Image", r.image());
    m.put("Command", command(r.command(), noTrunc));
    m.put("CreatedAt", r.created());
    m.put("RunningFor", StatusText.created(r, now));
    m.put("Ports", ports(r));
    m.put("State", r.state() == dev.lamina.runner.ContainerState.RUNNING && r.paused() ? "paused"
        : r.state().name().toLowerCase(java.util.Locale.ROOT));
    m.put("Status", StatusText.of(r, now));
    m.put("Names", r.name());
    m.put("Labels", (Supplier<Object>) () -> {
      List<String> kv = new ArrayList<>();
      view.labels(r).forEach((k, v) -> kv.add(k + "=" + v));
      return String.join(",", kv);
    });
    m.put("Mounts", (Supplier<Object>) () -> {
      List<String> names = new ArrayList<>();
      for (Map<String, Object> mount : view.mounts(r)) {
        Object name = mount.getOrDefault("Name", mount.get("Source"));
        names.add(String.valueOf(name));
      }
      return String.join(",", names);
    });
    m.put("Networks", String.join(",", ContainerView.networks(r)));
    m.put("LocalVolumes", (Supplier<Object>) () -> String.valueOf(
        view.mounts(r).stream().filter(x -> "volume".equals(x.get("Type"))).count()));
    TemplateMethod label = args -> {
      if (args.size() != 1 || !(args.get(0) instanceof String key)) {
        throw new UserException("invalid --format: Label takes one label name");
      }
      return view.labels(r).getOrDefault(key, "");
    };
    m.put("Label", label);
    return m;
  }

  /** Docker's PORTS: the ports a running container publishes ({@code 127.0.0.1:8080->80/tcp}). */
  static String ports(ContainerRecord r) {
    return r.networkStatus() == null
        ? ""
        : NetworkSettings.portsColumn(r.networkStatus().ports(), List.of());
  }

  /** {@code lamina container ls}. */
  @Command(name = "ls", aliases = "list", description = "List containers (running ones, or all with -a).")
  static final class Ls extends PsCommand {}

  /** Docker's COMMAND column: quoted, cut to 20 characters with an ellipsis. */
  static String command(List<String> argv, boolean full) {
    String c = String.join(" ", argv);
    if (!full && c.length() > 20) {
      c = c.substring(0, 19) + "…";
    }
    return "\"" + c + "\"";
  }
}
