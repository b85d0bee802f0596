package dev.lamina.cli;

import dev.lamina.layerfs.layers.ExtractedLayers;
import dev.lamina.layerfs.store.CheckedPart;
import dev.lamina.layerfs.store.ImageUsage;
import dev.lamina.layerfs.store.PruneHook;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.store.StoreCheck;
import dev.lamina.runner.ContainerNameCheck;
import dev.lamina.runner.ContainerRecord;
import dev.lamina.runner.Containers;
import dev.lamina.runner.ExitCommand;
import dev.lamina.runner.runtime.OciRuntimes;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Opens the containers of a store, with {@code lamina cleanup} as their monitors' exit command. */
final class ContainerSupport {
  private ContainerSupport() {}

  /**
   * The exit command containers get in place of {@link #exitCommand()} while it is set: the
   * class-data training's, which runs nothing (see {@link TrainCommand}). Null otherwise.
   */
  static volatile ExitCommand exitCommandInstead;

  static Containers open(Path root) {
    ExitCommand instead = exitCommandInstead;
    return Containers.open(
        root, instead != null ? instead : exitCommand(), OciRuntimes.source(root),
        NetworkCommand.defaults());
  }

  /**
   * The command a container's monitor runs when it ends: {@code bin/lamina cleanup} when running
   * through the launcher (which passes its checkout as {@code lamina.home}), else this JVM running
   * the jar or class path it was started from.
   */
  static ExitCommand exitCommand() {
    List<String> cmd = new ArrayList<>(laminaCommand());
    cmd.add(CleanupCommand.NAME);
    return ExitCommand.command(cmd);
  }

  /**
   * How to run {@code lamina} again from this process: {@code bin/lamina} when running through
   * the launcher (which passes its checkout as {@code lamina.home}), else this JVM running the jar
   * or class path it was started from. Its first word is an absolute path (conmon runs its exit
   * command without a {@code PATH} lookup).
   */
  static List<String> laminaCommand() {
    String home = System.getProperty("lamina.home");
    if (home != null) {
      Path launcher = Path.of(home, "bin", "lamina");
      if (Files.isExecutable(launcher)) {
        List<String> cmd = new ArrayList<>(List.of(launcher.toAbsolutePath().toString()));
        cmd.addAll(globalOptions());
        return cmd;
      }
    }
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-Xshare:auto",
                "-cp",
                classPath(),
                Main.class.getName()));
    cmd.addAll(globalOptions());
    return cmd;
  }

  /** The options another lamina process must see as this one saw them: where networks live. */
  private static List<String> globalOptions() {
    return NetworkCommand.configDir == null
        ? List.of()
        : List.of("--network-config-dir", NetworkCommand.configDir.toAbsolutePath().toString());
  }

  private static String classPath() {
    try {
      Path self = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      // The jar alone when it is not on the class path as one of several (java -cp A:B Main).
      if (Files.isRegularFile(self) && !List.of(System.getProperty("java.class.path", "")
          .split(java.io.File.pathSeparator)).contains(self.toString())) {
        return self.toString();
      }
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      // Fall back to the class path this JVM was started with.
    }
    return System.getProperty("java.class.path");
  }

  /** The containers using each image, so that {@code rmi} refuses to remove them without -f. */
  static ImageUsage imageUsage(Store store) {
    return (digest, id) -> {
      List<String> users = new ArrayList<>();
      for (ContainerRecord r : open(store.root()).list(true)) {
        if (id.toString().equals(r.imageId())) {
          users.add(r.shortId());
        }
      }
      return users;
    };
  }

  /** Container directories without a record, as a part of system check (a repair removes them). */
  static CheckedPart strayDirectories(Store store) {
    return CheckedPart.of("container directories", repair -> {
      Containers containers = open(store.root());
      List<StoreCheck.Problem> problems = new ArrayList<>();
      for (String id : containers.strays(repair)) {
        problems.add(
            new StoreCheck.Problem(
                StoreCheck.Kind.STRAY_CONTAINER,
                "containers/" + id,
                "a container directory without a record: ps does not show it; a repair"
                    + " removes it"));
      }
      return new CheckedPart.Findings(containers.list(true).size() + problems.size(), problems);
    });
  }

  /** The index of container names, checked against the records; a repair rebuilds it. */
  static CheckedPart nameIndex(Store store) {
    return CheckedPart.of("container names", repair -> {
      ContainerNameCheck found = open(store.root()).checkNames(repair);
      List<StoreCheck.Problem> problems = new ArrayList<>();
      for (ContainerNameCheck.Disagreement d : found.problems()) {
        problems.add(
            new StoreCheck.Problem(StoreCheck.Kind.CONTAINER_NAME, d.name(), d.detail()));
      }
      return new CheckedPart.Findings(found.checked(), problems);
    });
  }

  /**
   * What {@code system prune} tidies of the networks' run-time state, as {@code container prune}
   * does: attachments of containers that do not run, and the directories of removed stores.
   */
  static PruneHook networkState() {
    return store -> {
      open(store.root()).reconcileNetworks();
      return 0;
    };
  }

  /** The extracted layers containers stack, which prune must keep. */
  static ExtractedLayers.LayerUsers layerUsers(Store store) {
    return () -> {
      List<Path> dirs = new ArrayList<>();
      for (ContainerRecord r : open(store.root()).list(true)) {
        r.lowerDirs().forEach(d -> dirs.add(Path.of(d)));
      }
      return dirs;
    };
  }
}
