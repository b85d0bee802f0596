package dev.lamina.builder.exec;

import dev.lamina.layerfs.overlay.OverlayMount;
import dev.lamina.layerfs.store.Store;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A build's scratch space under {@code $LAMINA_ROOT/cache/work/<id>/}: overlay uppers and mount
 * points of RUN steps, unpacked archives, runtime bundles. It lives on the store's file system
 * (overlayfs needs upper and work dirs on one file system) and is locked while the build runs;
 * a later build removes the workspaces of builds that died (their lock is free), unmounting
 * anything still mounted there first.
 */
final class Workspace implements AutoCloseable {
  private final Path dir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final AtomicInteger counter = new AtomicInteger();
  /** The result of {@link #overlayRefusal}; null until it is first asked. */
  private Optional<IOException> overlayProbe;

  private Workspace(Path dir, FileChannel lockChannel, FileLock lock) {
    this.dir = dir;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /** A new workspace in {@code store}, after removing those of dead builds. */
  static Workspace create(Store store) throws IOException {
    Path parent = store.cacheDir().resolve("work");
    Files.createDirectories(parent);
    removeStale(parent);
    Path dir = parent.resolve(UUID.randomUUID().toString());
    Files.createDirectory(dir);
    FileChannel ch =
        FileChannel.open(dir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    return new Workspace(dir, ch, ch.lock());
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
      deleteTree(dir);
    } finally {
      lock.release();
      lockChannel.close();
    }
  }

  private static void removeStale(Path parent) throws IOException {
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent)) {
      for (Path p : ds) {
        Path lockFile = p.resolve(".lock");
        if (!Files.exists(lockFile)) {
          continue; // being created right now, or not ours
        }
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
          FileLock l = ch.tryLock();
          if (l == null) {
            continue; // a live build
          }
          OverlayMount.unmountAllUnder(p);
          deleteTree(p);
        } catch (IOException e) {
          // another build is cleaning it; leave it
        }
      }
    }
  }

  /** Deletes a tree without following symlinks. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            Files.deleteIfExists(d);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
