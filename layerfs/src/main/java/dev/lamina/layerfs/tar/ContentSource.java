package dev.lamina.layerfs.tar;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where the bytes of a regular file entry come from. Opened once, when the entry is written, so a
 * layer of any size never holds file contents in memory.
 */
@FunctionalInterface
public interface ContentSource {

  /**
   * Opens a fresh stream over the content; the caller closes it.
   *
   * @throws IOException if the content cannot be opened
   */
  InputStream open() throws IOException;

  /**
   * The content of the file at {@code path}. The file is opened without following a final symlink,
   * so a file swapped for a link after it was scanned fails instead of leaking the link's target.
   */
  static ContentSource ofFile(Path path) {
    Objects.requireNonNull(path, "path");
    return () -> Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS);
  }

  /** In-memory content; for small generated files such as whiteout markers. */
  static ContentSource ofBytes(byte[] bytes) {
    byte[] copy = bytes.clone();
    return () -> new ByteArrayInputStream(copy);
  }

  /** No content at all. */
  static ContentSource empty() {
    return () -> InputStream.nullInputStream();
  }
}
