package dev.lamina.cli;

import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.store.StoreCheck;
import dev.lamina.layerfs.store.StorePrune;
import dev.lamina.layerfs.store.StoreUsage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code lamina system check|prune|df}. */
@Command(
    name = "system",
    description = "Check, prune or measure the store.",
    subcommands = {
      SystemCommand.Check.class,
      SystemCommand.Prune.class,
      SystemCommand.Df.class,
      SystemInfoCommand.class,
    })
final class SystemCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw CommandGroups.subcommandRequired(spec);
  }

  /** Re-hashes every blob and follows every name; exit 1 on corruption. */
  @Command(name = "check", description = "Verify every blob and image of the store.")
  static final class Check implements Callable<Integer> {
    @Mixin StoreOptions store;

    @Option(
        names = {"-r", "--repair"},
        description = "Remove what is broken and what nothing references.")
    boolean repair;

    @Override
    public Integer call() throws Exception {
      StoreCheck check = Hooks.check(store.open());
      StoreCheck.Result found = repair ? check.repair() : check.run();
      found.problems().forEach(p -> Output.out().println((repair ? "repaired: " : "") + p));
      // A repair is judged by a fresh check of what is left.
      StoreCheck.Result result = repair ? check.run() : found;
      boolean corrupt =
          result.problems().stream()
              .anyMatch(
                  p ->
                      p.kind() != StoreCheck.Kind.DANGLING_BLOB
                          && p.kind() != StoreCheck.Kind.UNVERIFIED_LAYER);
      boolean unverified = !result.of(StoreCheck.Kind.UNVERIFIED_LAYER).isEmpty();
      StringBuilder parts = new StringBuilder();
      result.partsChecked().forEach((noun, n) -> parts.append(", ").append(n + " " + noun));
      Output.out()
          .printf(
              "checked %d blobs, %d names%s: %s%n",
              result.blobsChecked(),
              result.namesChecked(),
              parts,
              corrupt
                  ? "CORRUPT"
                  : unverified
                      ? "UNVERIFIED (system check --repair removes the unverified layers)"
                      : result.isClean() ? "ok" : "ok (unreferenced blobs)");
      corrupt |= unverified; // what cannot be vouched for is not ok
      return corrupt ? ExitCodes.CHECK_FAILED : ExitCodes.OK;
    }
  }

  /**
   * Docker's system prune, in its order: stopped containers, unused networks, with {@code
   * --volumes} unused anonymous volumes, dangling images (with {@code -a} every unused one), then
   * what nothing references (blobs, extracted layers, the build cache).
   */
  @Command(
      name = "prune",
      description = "Remove stopped containers, unused networks, dangling images (all unused"
          + " ones with -a), unused anonymous volumes with --volumes, then unreferenced blobs,"
          + " layers and the build cache.")
  static final class Prune implements Callable<Integer> {
    @Mixin StoreOptions store;


    @Option(
        names = {"-a", "--all"},
        description = "Remove every image no container uses, not only dangling ones.")
    boolean all;

    @Option(names = "--volumes", description = "Remove unused anonymous volumes too.")
    boolean volumes;

    @Mixin PruneOptions options;

    @Override
    public Integer call() throws Exception {
      // Every argument is checked before anything goes.
      PruneFilter filter = options.filter();
      if (volumes && filter.hasUntil()) {
        throw new UserException(
            "the 'until' filter is not supported with --volumes", ExitCodes.USAGE);
      }
      Store s = store.open();
      ContainerCommand.Prune.Pruned containers = ContainerCommand.Prune.prune(store, filter);
      PruneOutput.section("Deleted Containers:", containers.ids());
      PruneOutput.section("Deleted Networks:", NetworkCommand.Prune.prune(store, filter));
      long volumeBytes = 0;
      if (volumes) {
        VolumeCommand.Prune.Pruned removed = VolumeCommand.Prune.prune(store, false, filter);
        PruneOutput.section("Deleted Volumes:", removed.names());
        volumeBytes = removed.bytesFreed();
      }
      ImagePrune.Result images = ImagePrune.run(s, all, filter);
      PruneOutput.section("Deleted Images:", images.lines());
      StorePrune.Result unreferenced = Hooks.prune(s).run();
      PruneOutput.total(containers.bytesFreed() + volumeBytes + images.bytesFreed()
          + unreferenced.bytesFreed());
      return ExitCodes.OK;
    }
  }

  /** Disk usage of each part of the store. */
  @Command(name = "df", description = "Show the disk usage of the store.")
  static final class Df implements Callable<Integer> {
    @Mixin StoreOptions store;
    @Mixin FormatOption format;

    @Override
    public Integer call() throws Exception {
      List<StoreUsage.Part> parts = store.open().usage().measure();
      if (!format.json() && !format.defaultTable()) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (StoreUsage.Part p : parts) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("Type", p.name());
          m.put("TotalCount", p.count());
          m.put("Size", Humanize.size(p.bytes()));
          m.put("Path", p.dir().toString());
          rows.add(m);
        }
        format.printed(rows, Map.of("TotalCount", "COUNT"));
        return ExitCodes.OK;
      }
      if (format.json()) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (StoreUsage.Part p : parts) {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("Type", p.name());
          m.put("Path", p.dir().toString());
          m.put("Count", p.count());
          m.put("Size", p.bytes());
          out.add(m);
        }
        Output.json(out);
        return ExitCodes.OK;
      }
      List<List<String>> rows = new ArrayList<>();
      for (StoreUsage.Part p : parts) {
        rows.add(List.of(p.name(), String.valueOf(p.count()), Humanize.size(p.bytes())));
      }
      Output.table(List.of("TYPE", "COUNT", "SIZE"), rows);
      return ExitCodes.OK;
    }
  }
}
