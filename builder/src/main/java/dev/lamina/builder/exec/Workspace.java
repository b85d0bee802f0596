package dev.lamina.builder.exec;

import dev.lamina.layerfs.io.RandomIds;
import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.store.FileLocks;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.store.Trees;
import dev.lamina.runner.spec.EtcFiles;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A build's scratch space under {@code $LAMINA_ROOT/cache/work/<id>/}: overlay uppers and mount
 * points of RUN steps, unpacked archives, runtime bundles. It lives on the store's file system
 * (overlayfs needs upper and work dirs on one file system) and its {@code .lock} is held while
 * the build runs.
 *
 * <p>Why a lock rather than a pid: a record lock dies with its process whatever killed it, and
 * a pid can be reused. So a workspace whose lock is free belongs to a build that died, and
 * {@link #removeStale} unmounts what it left mounted and deletes it. The locks are the store's
 * {@link FileLocks}: one descriptor per lock file per JVM, so a second build in the same JVM
 * sees the first one's lock as taken, and never opens and closes a descriptor of it (which would
 * drop the first build's lock). A guard lock orders making a workspace (directory, then its lock)
 * against cleaning, so a cleaner never takes a workspace between the two.
 */
public final class Workspace implements AutoCloseable {
  private static final String LOCK = ".lock";

  private final Path dir;
  private final FileLocks.Held lock;
  private final AtomicInteger counter = new AtomicInteger();
  /** The result of {@link #overlayRefusal}; null until it is first asked. */
  private Optional<IOException> overlayProbe;

  private Workspace(Path dir, FileLocks.Held lock) {
    this.dir = dir;
    this.lock = lock;
  }

  /** A new workspace in {@code store}, after removing those of dead builds. */
  static Workspace create(Store store) throws IOException {
    Path parent = store.cacheDir().resolve("work");
    Files.createDirectories(parent);
    removeStale(store);
    try (FileLocks.Held creating = guard(store).shared()) {
      Path dir = parent.resolve(RandomIds.hex64().substring(0, 32));
      Files.createDirectory(dir);
      return new Workspace(dir, FileLocks.of(dir.resolve(LOCK)).exclusive());
    }
  }

  /**
   * Whether the store at {@code storeRoot} holds any build workspace, live or left by a dead
   * build: one directory read, without opening the store, so that a command that only reads
   * containers pays nothing more when there is none.
   *
   * @throws IOException if the workspaces' directory cannot be read
   */
  public static boolean anyIn(Path storeRoot) throws IOException {
    Path parent = workspaces(Store.cacheDirOf(storeRoot));
    if (!Files.isDirectory(parent)) {
      return false;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent)) {
      return ds.iterator().hasNext();
    }
  }

  private static Path workspaces(Path cacheDir) {
    return cacheDir.resolve("work");
  }

  /**
   * Removes the workspaces of builds whose process is gone (their lock is free), first tearing
   * down the network their RUN steps shared ({@link BuildNetwork#removeLeft}) and unmounting what
   * they left mounted there (a build killed during a COPY or RUN). Every command that opens
   * the store calls this, so a leaked mount does not outlive the next command.
   *
   * @return how many workspaces were removed
   * @throws IOException if the workspaces cannot be listed, or one could not be unmounted or
   *     deleted (it is then left, never deleted through a mount; the others are still removed)
   */
  public static int removeStale(Store store) throws IOException {
    Path parent = workspaces(store.cacheDir());
    if (!Files.isDirectory(parent)) {
      return 0;
    }
    int removed = 0;
    IOException failed = null;
    try (FileLocks.Held cleaning = guard(store).exclusive();
        DirectoryStream<Path> ds = Files.newDirectoryStream(parent)) {
      for (Path p : ds) {
        if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        FileLocks lock = FileLocks.of(p.resolve(LOCK));
        FileLocks.Held owner = lock.isHeldHere() ? null : lock.tryExclusive();
        if (owner == null) {
          continue; // a live build, in this process or another
        }
        try (owner) {
          try {
            // Before the unmounts: its namespace pinned there is what netavark tears down in.
            BuildNetwork.removeLeft(store, p);
          } catch (IOException e) {
            failed = failed == null ? e : failed;
          }
          OverlayMount.unmountAllUnder(p);
          Trees.deleteRecursively(p);
          removed++;
        } catch (IOException e) {
          failed = failed == null ? e : failed;
        }
      }
    }
    if (failed != null) {
      throw failed;
    }
    return removed;
  }

  private static FileLocks guard(Store store) throws IOException {
    return FileLocks.of(store.locksDir().resolve("build-work.lock"));
  }

  /** A fresh, empty directory in the workspace. */
  Path newDir(String hint) throws IOException {
    Path p = dir.resolve(hint + "-" + counter.incrementAndGet());
    Files.createDirectories(p);
    return p;
  }

  Path dir() {
    return dir;
  }

  /**
   * The lowest lower of every RUN step's overlay: empty mount points for the container's own
   * {@code /etc} files (see {@link EtcFiles#mountPointLayer}). Made once per build.
   *
   * @throws IOException if it cannot be made
   */
  synchronized Path etcMountPoints() throws IOException {
    return EtcFiles.mountPointLayer(dir.resolve("etc-mount-points"));
  }

  /**
   * Why the kernel refuses an overlay mount with its upper in this workspace (no privilege, or a
   * store on a filesystem overlayfs refuses as upper, such as overlayfs itself), or empty when it
   * mounts. Tried once per build with {@code emptyLower}, before any layer is extracted for a
   * mount: a store where overlayfs refuses uppers may also refuse overlay-format whiteouts.
   *
   * @throws IOException if the trial mount cannot be prepared or undone
   */
  synchronized Optional<IOException> overlayRefusal(Path emptyLower) throws IOException {
    if (overlayProbe == null) {
      overlayProbe = OverlayMount.refusal(dir, emptyLower);
    }
    return overlayProbe;
  }

  @Override
  public void close() throws IOException {
    try {
      OverlayMount.unmountAllUnder(dir);
      Trees.deleteRecursively(dir);
    } finally {
      lock.close();
    }
  }
}
