package dev.lamina.cli;

import dev.lamina.runner.ContainerRecord;
import dev.lamina.runner.Containers;
import dev.lamina.runner.runtime.ResourceUsage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina stats [--no-stream] [CONTAINER...]}: CPU, memory and processes of running
 * containers (all of them when none is named), as {@code docker stats}: CPU % is the CPU time used
 * over a second of wall time (above 100 % when it uses more than one CPU), MEM % the usage against
 * its limit or, without one, the host's memory. Refreshed every second until Ctrl-C, or printed
 * once with {@code --no-stream}.
 */
@Command(name = "stats", description = "Show running containers' CPU, memory and process use.")
final class StatsCommand implements Callable<Integer> {
  private static final long INTERVAL_MILLIS = 1000;

  @Mixin StoreOptions store;

  @Option(names = "--no-stream", description = "Print once, then exit.")
  boolean noStream;

  @Parameters(paramLabel = "CONTAINER", description = "Container names or ids (default: all running).")
  List<String> refs = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    Containers containers = ContainerSupport.open(store.root());
    long hostMemory = hostMemory();
    Map<String, ResourceUsage> before = sample(containers);
    long beforeAt = System.nanoTime();
    while (true) {
      Thread.sleep(INTERVAL_MILLIS);
      Map<String, ResourceUsage> now = sample(containers);
      long nowAt = System.nanoTime();
      List<List<String>> rows = new ArrayList<>();
      for (Map.Entry<String, ResourceUsage> e : now.entrySet()) {
        ResourceUsage u = e.getValue();
        ResourceUsage b = before.get(e.getKey());
        double cpu = b == null ? 0 : 100.0 * (u.cpuNanos() - b.cpuNanos()) / (nowAt - beforeAt);
        long limit = u.memoryLimit() > 0 ? Math.min(u.memoryLimit(), hostMemory) : hostMemory;
        ContainerRecord r = containers.inspect(e.getKey());
        rows.add(List.of(
            r.shortId(),
            r.name(),
            String.format(Locale.ROOT, "%.2f%%", Math.max(0, cpu)),
            binary(u.memoryBytes()) + " / " + binary(limit),
            String.format(Locale.ROOT, "%.2f%%", limit == 0 ? 0 : 100.0 * u.memoryBytes() / limit),
            Long.toString(u.pids())));
      }
      if (!noStream && Terminals.stdoutIsTerminal()) {
        Output.out().print("\u001b[2J\u001b[H"); // as docker: the table in place
      }
      Output.table(
          List.of("CONTAINER ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "PIDS"), rows);
      Output.out().flush();
      if (noStream) {
        return ExitCodes.OK;
      }
      before = now;
      beforeAt = nowAt;
    }
  }

  /** Usage by container id: the named ones (an error for one that is not running), or all. */
  private Map<String, ResourceUsage> sample(Containers containers) throws IOException {
    Map<String, ResourceUsage> out = new LinkedHashMap<>();
    containers.requireUsage(); // not hidden by "ended meanwhile" below
    List<String> which = new ArrayList<>(refs);
    if (which.isEmpty()) {
      containers.list(false).forEach(r -> which.add(r.id()));
    }
    for (String ref : which) {
      try {
        ContainerRecord r = containers.inspect(ref);
        out.put(r.id(), containers.usage(r.id()));
      } catch (IOException e) {
        if (!refs.isEmpty()) {
          throw e; // one asked for by name must be there
        }
        // One of all ended meanwhile.
      }
    }
    return out;
  }

  /** MemTotal of /proc/meminfo, in bytes. */
  private static long hostMemory() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
      if (line.startsWith("MemTotal:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
      }
    }
    return 0;
  }

  /** Docker's stats units: binary, two decimals (1.5MiB, 64MiB). */
  static String binary(long bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int u = 0;
    while (v >= 1024 && u < units.length - 1) {
      v /= 1024;
      u++;
    }
    String n = String.format(Locale.ROOT, "%.2f", v).replaceAll("\\.?0+$", "");
    return n + units[u];
  }
}
