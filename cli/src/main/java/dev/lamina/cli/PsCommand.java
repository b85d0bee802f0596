package dev.lamina.cli;

import dev.lamina.runner.ContainerRecord;
import dev.lamina.runner.StatusText;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lamina ps [-a] [-q]}: containers, like {@code docker ps}. */
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
              r.name()));
    }
    Output.table(List.of("CONTAINER ID", "IMAGE", "COMMAND", "CREATED", "STATUS", "NAMES"), rows);
    return ExitCodes.OK;
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
