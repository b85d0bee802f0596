package dev.lamina.runner;

import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.layerfs.store.Trees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * The stores' run-time directories (conmon's exit files and links to bundles), one per store
 * under the runtime directory, named by a hash of the store's path ({@link
 * Containers#runtimeDir}). Each names its store in a marker file, so that the directories of
 * stores since removed are found: they are deleted whenever a new store's directory is made, so
 * that a host whose stores come and go (tests, CI, throwaway {@code --root}s) keeps no trail of
 * them.
 */
final class StoreRunDirs {
  /** In a store's run-time directory: the store's path. */
  static final String MARKER = "store";

  /** How long a directory without a marker (being made, or made by an older version) is left. */
  private static final Duration SETTLING = Duration.ofMinutes(1);

  private StoreRunDirs() {}

  /**
   * Makes {@code dir}, the run-time directory of the store at {@code laminaRoot}, when it is
   * missing, and then deletes those of removed stores beside it. One stat when it exists.
   *
   * @throws IOException if it cannot be made
   */
  static void ensure(Path dir, Path laminaRoot) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Files.createDirectories(dir);
    AtomicFiles.write(
        dir.resolve(MARKER), laminaRoot.toString().getBytes(StandardCharsets.UTF_8), false);
    removeLeftOver(dir.getParent(), dir);
  }

  /**
   * Deletes, under {@code runtimeRoot}, the stores' run-time directories but {@code keep} whose
   * store is gone (its {@code containers/} no longer exists), and those without a marker that
   * hold nothing but empty directories and are older than a minute (an older version's). Anything
   * else is left: a directory this cannot judge costs a few inodes, a wrong deletion would lose
   * the exit codes of running containers. Failures are left for the next time.
   */
  static void removeLeftOver(Path runtimeRoot, Path keep) {
    List<Path> dirs;
    try (Stream<Path> list = Files.list(runtimeRoot)) {
      dirs = list.filter(d -> d.getFileName().toString().matches("[0-9a-f]{16}")).toList();
    } catch (IOException unreadable) {
      return;
    }
    for (Path d : dirs) {
      try {
        if (!d.equals(keep) && leftOver(d, store -> true)) {
          Trees.deleteRecursively(d);
        }
      } catch (IOException inUseOrGone) {
        // left for the next time
      }
    }
  }

  /**
   * Whether {@code d}, a store's run-time directory (this one's, or the networks' {@link
   * StoreNetworkDirs}), is left over: its marker names an absolute path whose directory {@code
   * mapsBack} says {@code d} is and whose {@code containers/} is gone; or it has no marker, is
   * older than a minute and holds nothing but empty directories.
   */
  static boolean leftOver(Path d, java.util.function.Predicate<Path> mapsBack) throws IOException {
    BasicFileAttributes a =
        Files.readAttributes(d, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!a.isDirectory()) {
      return false;
    }
    Path marker = d.resolve(MARKER);
    if (Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS)) {
      Path store = Path.of(Files.readString(marker, StandardCharsets.UTF_8).strip());
      return store.isAbsolute()
          && mapsBack.test(store)
          && !Files.isDirectory(store.resolve("containers"));
    }
    if (a.lastModifiedTime().toInstant().isAfter(Instant.now().minus(SETTLING))) {
      return false;
    }
    try (Stream<Path> all = Files.walk(d)) {
      return all.allMatch(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS));
    }
  }
}
