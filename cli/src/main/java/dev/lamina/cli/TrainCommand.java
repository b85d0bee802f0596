package dev.lamina.cli;

import dev.lamina.builder.cache.BuildCache;
import dev.lamina.layerfs.overlay.MountTable;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.store.Store;
import dev.lamina.runner.Containers;
import dev.lamina.runner.ExitCommand;
import dev.lamina.runner.runtime.Cgroups;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code lamina __train-cds [run]} (hidden): runs the common commands once, in this process,
 * against a throwaway store, so that {@code bin/lamina} can make its class-data-sharing archive
 * from the classes they load ({@code -XX:DumpLoadedClassList}). The archive then serves every
 * command, whichever runs first after a build. With {@code run}, only the commands that start a
 * container ({@code run}, {@code create}, {@code start}; see {@link #RUN}), for the smaller
 * archive {@code bin/lamina} gives those. Nothing is printed, nothing outside the temporary
 * directory is touched, and the directory is removed afterwards.
 */
@Command(name = TrainCommand.NAME, hidden = true, description = "Exercise common commands.")
final class TrainCommand implements Callable<Integer> {
  static final String NAME = "__train-cds";

  /** The part that trains the commands that start a container, alone. */
  static final String RUN = "run";

  private static final String IMAGE = "lamina-cds/training";

  @Parameters(arity = "0..1", paramLabel = "PART", description = "run: only the commands that start a container.")
  String part;

  @Override
  public Integer call() throws IOException {
    if (part != null && !part.equals(RUN)) {
      throw new UserException("unknown training part: " + part);
    }
    boolean runOnly = RUN.equals(part);
    Path dir = Files.createTempDirectory("lamina-cds-");
    PrintStream out = System.out;
    PrintStream err = System.err;
    PrintStream none = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    try {
      System.setOut(none);
      System.setErr(none);
      // A detached container's monitor runs nothing when it ends: the real exit command would
      // start this launcher again, at a moment of its own; the training removes it itself.
      ContainerSupport.exitCommand(); // made as at every run, but not given to the monitors
      ContainerSupport.exitCommandInstead = ExitCommand.command(List.of("/bin/true"));
      for (List<String> args : runOnly ? runCommands(dir) : commands(dir)) {
        Main.execute(args.toArray(String[]::new));
      }
      // What only a user's commands ask, which a training as root does not reach: whether
      // cgroup controllers are delegated (asked at each of a user's runs).
      Cgroups.delegatedControllers();
      if (!runOnly) {
        // Not for the run archive: its size is what every run pays (see bin/lamina).
        loadOwnClasses();
      }
    } finally {
      ContainerSupport.exitCommandInstead = null;
      System.setOut(out);
      System.setErr(err);
      remove(dir);
    }
    return ExitCodes.OK;
  }

  /**
   * Loads, without initialising them, all of Lamina's own classes, from the jar (or the classes
   * directories) of its modules: one the commands above do not reach (a running container's
   * paths, a user's, an error's) would otherwise be read from the jar, which the JVM then opens,
   * reading its directory of some 7,000 entries: several milliseconds, the first time in a
   * process. Their lambdas, and other libraries' classes, are left to what the commands load.
   */
  static void loadOwnClasses() throws IOException {
    ClassLoader loader = TrainCommand.class.getClassLoader();
    Set<Path> sources = new LinkedHashSet<>();
    for (Class<?> anchor :
        List.of(TrainCommand.class, Containers.class, BuildCache.class, Store.class)) {
      CodeSource code = anchor.getProtectionDomain().getCodeSource();
      if (code != null) {
        try {
          sources.add(Path.of(code.getLocation().toURI()));
        } catch (URISyntaxException | IllegalArgumentException notAFile) {
          // Not from a file: nothing to list.
        }
      }
    }
    List<String> names = new ArrayList<>();
    for (Path source : sources) {
      if (Files.isRegularFile(source)) {
        try (JarFile jar = new JarFile(source.toFile())) {
          jar.stream().map(JarEntry::getName).forEach(names::add);
        }
      } else if (Files.isDirectory(source)) {
        try (Stream<Path> files = Files.walk(source)) {
          files.map(f -> source.relativize(f).toString()).forEach(names::add);
        }
      }
    }
    for (String name : names) {
      // Not module-info or package-info, whose names are no class names.
      if (name.startsWith("dev/lamina/") && name.endsWith(".class") && !name.contains("-")) {
        try {
          Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
        } catch (ClassNotFoundException | LinkageError unusable) {
          // Left out of the archive: loaded from the jar if it is ever needed.
        }
      }
    }
  }

  /**
   * Help, queries, an import, a build, and foreground runs: one that fails in the runtime (no
   * such command), and one that runs to its end without a network, attached to its monitor (the
   * host's {@code /usr} bound read-only gives it {@code true}), so that what a run does after
   * its container has started (attach, wait, finish, remove) is archived too; then the same run
   * and a listing beside a container that was only created, an exec refused in it, its logs,
   * inspection and removal; then tags, volumes, networks and the store's usage. A file over a MiB
   * makes the import hash with libcrypto, so its binding is archived.
   */
  private static List<List<String>> commands(Path dir) throws IOException {
    Path rootfs = trainingRootfs(dir);
    Files.write(rootfs.resolve("large"), new byte[3 << 20]);
    Path context = Files.createDirectories(dir.resolve("context"));
    Files.writeString(context.resolve("file"), "training\n");
    Files.writeString(
        context.resolve("Containerfile"),
        "FROM " + IMAGE + "\nCOPY file /file\nLABEL purpose=training\nCMD [\"/file\"]\n");
    String root = dir.resolve("store").toString();
    List<List<String>> commands = new ArrayList<>();
    commands.add(List.of("version"));
    // Help: the top-level command's (from the commands' outlines) and a command's own.
    commands.add(List.of("--help"));
    commands.add(List.of("run", "--help"));
    commands.add(List.of("--root", root, "images"));
    commands.add(List.of("--root", root, "import", rootfs.getParent().toString(), IMAGE));
    commands.add(List.of("--root", root, "images"));
    commands.add(List.of("--root", root, "inspect", IMAGE));
    commands.add(List.of("--root", root, "history", IMAGE));
    commands.add(List.of("--root", root, "build", "-q", "-t", IMAGE, context.toString()));
    commands.add(List.of("--root", root, "run", "--rm", IMAGE, "/lamina-cds-training"));
    commands.add(
        List.of("--root", root, "run", "--rm", "--network", "none", "-v", "/usr:/usr:ro",
            IMAGE, "/usr/bin/true"));
    // A container kept while the store is listed and a run starts: reading existing records
    // (names taken, ps) is then trained too, not only an empty store.
    commands.add(List.of("--root", root, "create", "--name", "lamina-cds-kept", IMAGE, "/file"));
    commands.add(List.of("--root", root, "ps", "-a"));
    commands.add(
        List.of("--root", root, "run", "--rm", "--network", "none", "-v", "/usr:/usr:ro",
            IMAGE, "/usr/bin/true"));
    // exec as far as the refusal of a container that is not running (no detached container is
    // trained: its monitor's exit command would start this launcher again, at a moment of its own).
    commands.add(List.of("--root", root, "exec", "lamina-cds-kept", "/usr/bin/true"));
    commands.add(List.of("--root", root, "logs", "lamina-cds-kept"));
    commands.add(List.of("--root", root, "inspect", "lamina-cds-kept"));
    commands.add(List.of("--root", root, "rm", "lamina-cds-kept"));
    // The other everyday commands that need no running container (network ls only reads).
    commands.add(List.of("--root", root, "tag", IMAGE, IMAGE + "-tagged"));
    commands.add(List.of("--root", root, "rmi", IMAGE + "-tagged"));
    commands.add(List.of("--root", root, "volume", "create", "lamina-cds-volume"));
    commands.add(List.of("--root", root, "volume", "rm", "lamina-cds-volume"));
    commands.add(List.of("--root", root, "network", "ls"));
    commands.add(List.of("--root", root, "system", "df"));
    commands.add(List.of("--root", root, "volume", "ls"));
    return commands;
  }

  /**
   * The training image's root filesystem ({@code DIR/rootfs/etc}, whose parent is imported): a
   * root user, and {@code /usr/bin/true} and {@code sleep} with their libraries through the
   * host's {@code /usr}, bound read-only by the runs, on a merged-/usr host.
   */
  private static Path trainingRootfs(Path dir) throws IOException {
    Path rootfs = Files.createDirectories(dir.resolve("rootfs/etc"));
    Files.writeString(rootfs.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n");
    Files.writeString(rootfs.resolve("group"), "root:x:0:\n");
    for (String link : List.of("bin", "lib", "lib64")) {
      Files.createSymbolicLink(rootfs.resolveSibling(link), Path.of("usr", link));
    }
    return rootfs;
  }

  /**
   * The commands that start a container, for their archive: a foreground run to its end; a
   * detached run with a named volume, removed while it runs; a container created, then started
   * and removed; and a run on the default network of a command that is not found (its error).
   * The image is imported first, and its classes are listed too: a training cannot leave them
   * out, and they are few.
   */
  private static List<List<String>> runCommands(Path dir) throws IOException {
    Path rootfs = trainingRootfs(dir);
    String root = dir.resolve("store").toString();
    List<String> usr = List.of("--network", "none", "-v", "/usr:/usr:ro");
    List<List<String>> commands = new ArrayList<>();
    commands.add(List.of("--root", root, "import", rootfs.getParent().toString(), IMAGE));
    commands.add(concat(List.of("--root", root, "run", "--rm"), usr, IMAGE, "/usr/bin/true"));
    commands.add(
        concat(List.of("--root", root, "run", "-d", "--name", "lamina-cds-detached", "-v",
            "lamina-cds-volume:/data"), usr, IMAGE, "/usr/bin/sleep", "60"));
    commands.add(List.of("--root", root, "rm", "-f", "lamina-cds-detached"));
    commands.add(
        concat(List.of("--root", root, "create", "--name", "lamina-cds-kept"), usr, IMAGE,
            "/usr/bin/true"));
    commands.add(List.of("--root", root, "start", "lamina-cds-kept"));
    commands.add(List.of("--root", root, "rm", "-f", "lamina-cds-kept"));
    commands.add(List.of("--root", root, "run", "--rm", IMAGE, "/lamina-cds-training"));
    return commands;
  }

  private static List<String> concat(List<String> head, List<String> middle, String... tail) {
    List<String> out = new ArrayList<>(head);
    out.addAll(middle);
    out.addAll(List.of(tail));
    return out;
  }

  /** Deletes the directory, never through a mount (a failed run could leave its overlay). */
  private static void remove(Path dir) throws IOException {
    OverlayMount.unmountAllUnder(dir);
    if (!MountTable.mountPointsUnder(dir).isEmpty()) {
      throw new IOException("mounts left under " + dir + "; not removed");
    }
    Files.walkFileTree(
        dir,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
            // Extracted layers may hold read-only directories.
            d.toFile().setWritable(true, true);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
