package dev.lamina.layerfs.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes that are all-or-nothing: a temp file beside the target, fsync, atomic rename, fsync of
 * the directory, so a crash leaves either the old file or the new one, never half of one.
 */
public final class AtomicFiles {
  private static final AtomicLong TEMP_COUNTER = new AtomicLong();

  private AtomicFiles() {}

  /** A writer of {@code out}'s content; may throw. */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Replaces {@code target} with {@code bytes} atomically.
   *
   * @throws IOException if writing, syncing or renaming fails (the target is then unchanged)
   */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, out -> out.write(bytes));
  }

  /**
   * Replaces {@code target} with {@code bytes} atomically: other processes see the old file or the
   * new one, never a mix. With {@code durable}, the file and its directory are synced, so the new
   * content survives a host crash; without (records of disposable things), a crash may leave the
   * old file behind.
   *
   * @throws IOException if writing or renaming fails (the target is then unchanged)
   */
  public static void write(Path target, byte[] bytes, boolean durable) throws IOException {
    write(target, out -> out.write(bytes), durable);
  }

  /**
   * Replaces {@code target} with what {@code content} writes, atomically; on failure the temp file
   * is removed and the target is unchanged.
   *
   * @throws IOException if {@code content} or the file system fails
   */
  public static void write(Path target, Content content) throws IOException {
    write(target, content, true);
  }

  private static void write(Path target, Content content, boolean durable) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    // Unique without SecureRandom, whose seeding costs a short-lived CLI tens of milliseconds.
    Path temp =
        dir.resolve(
            "."
                + target.getFileName()
                + ".tmp-"
                + ProcessHandle.current().pid()
                + "-"
                + TEMP_COUNTER.incrementAndGet()
                + "-"
                + System.nanoTime());
    boolean done = false;
    try {
      try (FileChannel ch =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        OutputStream out = new NamingOutputStream(Channels.newOutputStream(ch), target);
        content.writeTo(out);
        out.flush();
        if (durable) {
          try {
            ch.force(true);
          } catch (IOException e) {
            throw NamingOutputStream.naming(e, target);
          }
        }
      }
      moveAtomically(temp, target);
      done = true;
      if (durable) {
        syncDirectory(dir);
      }
    } finally {
      if (!done) {
        Files.deleteIfExists(temp);
      }
    }
  }

  /**
   * Renames {@code source} to {@code target} in one step, replacing the target.
   *
   * @throws IOException if the rename is not atomic here (e.g. another file system) or fails
   */
  public static void moveAtomically(Path source, Path target) throws IOException {
    try {
      Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(
          "cannot rename " + source + " to " + target + " atomically (different file systems?)",
          e);
    }
  }

  /** Flushes a directory's entries (a rename is durable only after this). */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
