package dev.lamina.runner.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Whole-file writes that readers never see half done: temp file, fsync, rename. */
public final class AtomicFiles {
  private AtomicFiles() {}

  /**
   * Replaces {@code target} with {@code bytes} atomically and durably.
   *
   * @throws IOException if writing, syncing or renaming fails (the old file is then unchanged)
   */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, bytes, true);
  }

  /**
   * Replaces {@code target} with {@code bytes} atomically: other processes see the old file or the
   * new one, never a mix. With {@code durable}, the file and its directory are also synced, so
   * the new content survives a host crash; without, a crash may leave the old file (or, on some
   * filesystems, an empty one) behind.
   *
   * @throws IOException if writing, syncing or renaming fails (the old file is then unchanged)
   */
  public static void write(Path target, byte[] bytes, boolean durable) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, "." + target.getFileName(), ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        if (durable) {
          ch.force(true);
        }
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      if (durable) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
          d.force(true);
        } catch (IOException ignored) {
          // Some filesystems cannot sync a directory; the rename is still atomic.
        }
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
