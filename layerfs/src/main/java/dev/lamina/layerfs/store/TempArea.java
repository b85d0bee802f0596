package dev.lamina.layerfs.store;

import dev.lamina.layerfs.io.RandomIds;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A directory of in-flight temp files, on the same file system as their final place (so a rename
 * publishes them atomically).
 *
 * <p>Why a lock per temp file rather than a pid check: a pid can be reused by an unrelated process
 * after a crash, while a record lock dies with the process that held it, whatever killed it. So
 * every temp file is locked by its writer for as long as it exists, and {@link #clean()} deletes
 * exactly the entries whose lock it can take. Two more details make that safe:
 *
 * <ul>
 *   <li>Record locks are per process, and closing any descriptor of a file drops them, so the
 *       cleaner must never open a file this JVM is writing: those are skipped by name ({@link
 *       #IN_FLIGHT}).
 *   <li>A writer creates its file and then locks it; a cleaner in another process could slip in
 *       between. Creation therefore holds a guard lock shared and cleaning holds it exclusively.
 * </ul>
 */
final class TempArea {
  private static final Set<Path> IN_FLIGHT = ConcurrentHashMap.newKeySet();

  private final Path dir;
  private final String prefix;
  private final FileLocks guard;

  /**
   * @param guard the lock ordering creation against cleaning, or null where nobody cleans (a
   *     layout directory outside the store)
   */
  TempArea(Path dir, String prefix, FileLocks guard) {
    this.dir = dir;
    this.prefix = prefix;
    this.guard = guard;
  }

  Path dir() {
    return dir;
  }

  /** A new, empty, locked temp file; close the result to delete it (unless it was moved). */
  TempFile create() throws IOException {
    Files.createDirectories(dir);
    Path path = dir.resolve(prefix + RandomIds.hex64().substring(0, 32));
    IN_FLIGHT.add(path);
    try (FileLocks.Held g = guard == null ? null : guard.shared()) {
      FileChannel ch =
          FileChannel.open(
              path,
              StandardOpenOption.CREATE_NEW,
              StandardOpenOption.READ,
              StandardOpenOption.WRITE);
      try {
        FileLock lock = ch.lock();
        return new TempFile(path, ch, lock);
      } catch (IOException | RuntimeException e) {
        ch.close();
        Files.deleteIfExists(path);
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      IN_FLIGHT.remove(path);
      throw e;
    }
  }

  /**
   * Deletes every entry no live process holds: leftovers of writers that crashed or were killed.
   *
   * @return how many entries were removed
   */
  int clean() throws IOException {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    int removed = 0;
    try (FileLocks.Held g = guard == null ? null : guard.exclusive();
        DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        if (IN_FLIGHT.contains(entry)) {
          continue;
        }
        if (removeIfStale(entry)) {
          removed++;
        }
      }
    }
    return removed;
  }

  private static boolean removeIfStale(Path entry) throws IOException {
    if (!Files.isRegularFile(entry, LinkOption.NOFOLLOW_LINKS)) {
      // Nothing but lock-holding files is made here; anything else is debris.
      Trees.deleteRecursively(entry);
      return true;
    }
    try (FileChannel ch = FileChannel.open(entry, StandardOpenOption.WRITE)) {
      FileLock lock = ch.tryLock();
      if (lock == null) {
        return false; // a live process is writing it
      }
      Files.delete(entry);
      return true;
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /** An open, locked temp file. */
  static final class TempFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean moved;

    private TempFile(Path path, FileChannel channel, FileLock lock) {
      this.path = path;
      this.channel = channel;
      this.lock = lock;
    }

    Path path() {
      return path;
    }

    FileChannel channel() {
      return channel;
    }

    /**
     * Renames the file to {@code target} atomically, replacing it, while still holding the lock
     * (so no cleaner can take the file from under the rename).
     */
    void moveTo(Path target) throws IOException {
      AtomicFiles.moveAtomically(path, target);
      moved = true;
    }

    /** Releases the lock and deletes the file unless it was moved. */
    @Override
    public void close() throws IOException {
      try {
        if (!moved) {
          Files.deleteIfExists(path);
        }
      } finally {
        try {
          if (lock.isValid()) {
            lock.release();
          }
          channel.close();
        } finally {
          IN_FLIGHT.remove(path);
        }
      }
    }
  }
}
