package dev.lamina.cli;

import dev.lamina.runner.ContainerRecord;
import dev.lamina.runner.network.NetworkSettings;
import dev.lamina.runner.StatusText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lamina ps [-a] [-q] [--format table|json|TEMPLATE]}: containers, like {@code docker ps}.
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

  @Override
  public Integer call() throws Exception {
    List<ContainerRecord> records = ContainerSupport.open(store.root()).list(all);
    Instant now0 = Instant.now();
    List<Map<String, Object>> rows0 = new ArrayList<>();
    if (!format.defaultTable()) {
      records.forEach(r -> rows0.add(row(r, now0)));
    }
    if (format.printed(rows0, TITLES)) {
      return ExitCodes.OK;
    }
    if (format.json()) {
      List<Object> out = new ArrayList<>();
      for (ContainerRecord r : records) {
        out.add(InspectCommand.container(r));
      }
      Output.json(out);
      return ExitCodes.OK;
    }
    if (quiet) {
      records.forEach(r -> Output.out().println(noTrunc ? r.id() : r.shortId()));
      return ExitCodes.OK;
    }
    Instant now = Instant.now();
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

  static final Map<String, String> TITLES = Map.of("ID", "CONTAINER ID", "RunningFor", "CREATED");

  /** A row as docker's {@code ps --format} templates name its fields. */
  private Map<String, Object> row(ContainerRecord r, Instant now) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ID", noTrunc ? r.id() : r.shortId());
    m.put("Image", r.image());
    m.put("Command", command(r.command(), noTrunc));
    m.put("CreatedAt", r.created());
    m.put("RunningFor", StatusText.created(r, now));
    m.put("Status", StatusText.of(r, now));
    m.put("State", r.state().name().toLowerCase(java.util.Locale.ROOT));
    m.put("Ports", ports(r));
    m.put("Names", r.name());
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
