package dev.lamina.layerfs.store;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Files a user names for output ({@code save -o}, {@code export -o}, {@code --iidfile}, an archive
 * destination): what is at the path decides how it is written, as docker does.
 *
 * <ul>
 *   <li>A new path or a regular file is replaced atomically ({@link AtomicFiles}): a failed write
 *       leaves the old file, never half an archive.
 *   <li>Anything else (a symlink, a FIFO, a character device such as {@code /dev/null}, {@code
 *       /dev/stdout}) is opened and written through. Renaming over it would replace the device
 *       node or the link with a regular file, and a reader waiting on a FIFO would never see the
 *       data.
 * </ul>
 */
public final class OutputFiles {
  private OutputFiles() {}

  /**
   * Writes what {@code content} writes to {@code target}.
   *
   * @throws IOException if the path cannot be written (a directory, a closed pipe), or {@code
   *     content} fails; a regular file is then unchanged
   */
  public static void write(Path target, AtomicFiles.Content content) throws IOException {
    if (writesThrough(target)) {
      // O_TRUNC is ignored by FIFOs and devices, and empties the file a symlink points at.
      try (OutputStream out =
          Files.newOutputStream(
              target,
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE,
              StandardOpenOption.TRUNCATE_EXISTING)) {
        content.writeTo(out);
      }
      return;
    }
    AtomicFiles.write(target.toAbsolutePath(), content);
  }

  /** Writes {@code bytes} to {@code target} ({@link #write(Path, AtomicFiles.Content)}). */
  public static void write(Path target, byte[] bytes) throws IOException {
    write(target, out -> out.write(bytes));
  }

  /** Whether {@code target} exists as something other than a regular file (checked unfollowed). */
  private static boolean writesThrough(Path target) throws IOException {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(target, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return false;
    }
    return !a.isRegularFile();
  }
}
