package dev.lamina.runner;

import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.layerfs.store.FileLocks;
import dev.lamina.layerfs.store.Trees;
import dev.lamina.runner.network.NetworkDefaults;
import dev.lamina.runner.network.NetworkNamespace;
import dev.lamina.runner.network.NetworkUsers;
import dev.lamina.runner.network.Networks;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The stores' run-time network directories ({@link
 * dev.lamina.runner.network.NetworkDirectories#store}: each store's pinned namespaces and what
 * netavark set up for its containers), one per store under {@code stores/} of the host's network
 * run-time directory, named by a hash of the store's path. Each names its store in a marker file
 * ({@value StoreRunDirs#MARKER}), written before anything else is put in it, so that the
 * directories of stores since removed are found and deleted, whatever they still had attached
 * taken off its networks first: a host whose stores come and go (tests, CI, throwaway {@code
 * --root}s) keeps no trail of them.
 *
 * <p>A directory is deleted only when its marker maps back to it (the hash of the path it names
 * is its name) and that store's {@code containers/} is gone: an idle store, which still has its
 * {@code containers/}, is never touched, and a directory this cannot judge (a marker naming
 * another path, no marker but live content) is left: it costs a few inodes, where a wrong
 * deletion would cut running containers off their networks.
 *
 * <p>{@code stores/.lock} orders the two: it is held shared while a store's directory is made
 * ready and a namespace pinned in it, and exclusively while leftovers are judged and deleted. A
 * store made again at a removed store's path therefore either pins its namespace after the
 * directory was deleted (in a new one), or before it was judged, when its {@code containers/}
 * exists again and the directory is kept.
 */
final class StoreNetworkDirs {
  private static final String LOCK = ".lock";

  private StoreNetworkDirs() {}

  /**
   * Runs {@code pin} (which pins a namespace in {@code dir}) with {@code dir}, the run-time
   * network directory of the store at {@code laminaRoot}, made and naming its store, under the
   * shared lock. Returns whether {@code dir} was made now (its marker was missing).
   *
   * @throws IOException if the directory cannot be made, or from {@code pin}
   */
  static boolean pinning(Path dir, Path laminaRoot, FileLocks.Locked<?> pin) throws IOException {
    try (FileLocks.Held held = FileLocks.of(dir.resolveSibling(LOCK)).shared()) {
      Path marker = dir.resolve(StoreRunDirs.MARKER);
      boolean made = !Files.isRegularFile(marker, LinkOption.NOFOLLOW_LINKS);
      if (made) {
        Files.createDirectories(dir);
        byte[] path = laminaRoot.toAbsolutePath().normalize().toString()
            .getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(marker, path, false);
      }
      pin.call();
      return made;
    }
  }

  /**
   * Deletes, beside {@code keep}, the run-time network directories of removed stores (see the
   * class comment), each after detaching what it has attached and unpinning its namespaces.
   * Returns those deleted; one that cannot be tidied is left for the next time. Costs a listing
   * of {@code stores/} and a marker read for each store: called when a store's directory is made,
   * and by {@code container prune} and {@code system prune}, never on every run.
   */
  static List<Path> removeLeftOver(Path keep, NetworkDefaults defaults) {
    Path stores = keep.getParent();
    List<Path> removed = new ArrayList<>();
    if (!Files.isDirectory(stores)) {
      return removed;
    }
    try {
      FileLocks.withExclusive(stores.resolve(LOCK), () -> {
        List<Path> dirs;
        try (Stream<Path> list = Files.list(stores)) {
          dirs = list.filter(d -> d.getFileName().toString().matches("[0-9a-f]{16}")).toList();
        }
        for (Path d : dirs) {
          try {
            if (!d.equals(keep) && leftOver(d, defaults)) {
              tidy(d, defaults);
              removed.add(d);
            }
          } catch (IOException | RuntimeException inUseOrGone) {
            // left for the next time
          }
        }
        return null;
      });
    } catch (IOException unreadable) {
      // left for the next time
    }
    return removed;
  }

  /** {@link StoreRunDirs#leftOver}, where the marker must name the store whose directory it is. */
  private static boolean leftOver(Path d, NetworkDefaults defaults) throws IOException {
    return StoreRunDirs.leftOver(d, store -> defaults.directories().store(store).equals(d));
  }

  /** Takes what {@code d} has attached off its networks, unpins its namespaces, deletes it. */
  private static void tidy(Path d, NetworkDefaults defaults) throws IOException {
    Networks left = Networks.open(d, NetworkUsers.NONE, defaults);
    for (String id : left.attached()) {
      left.detach(id, left.namespacePath(id));
    }
    Path pinned = d.resolve("netns");
    if (Files.isDirectory(pinned)) {
      try (Stream<Path> list = Files.list(pinned)) {
        for (Path ns : list.toList()) {
          NetworkNamespace.remove(ns);
        }
      }
    }
    Trees.deleteRecursively(d);
  }
}
