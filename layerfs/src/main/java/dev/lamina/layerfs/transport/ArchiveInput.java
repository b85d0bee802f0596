package dev.lamina.layerfs.transport;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Reads an image archive entry by entry, streaming (an archive may be compressed with gzip or
 * zstd as a whole). Entry names are only compared, never used as paths; duplicates are refused so
 * one archive cannot mean two things, and the number of entries is capped.
 */
final class ArchiveInput implements AutoCloseable {
  static final int MAX_ENTRIES = 100_000;

  private final String what;
  private final InputStream file;
  private final TarArchiveInputStream tar;
  private final Set<String> seen = new HashSet<>();

  private ArchiveInput(String what, InputStream file, TarArchiveInputStream tar) {
    this.what = what;
    this.file = file;
    this.tar = tar;
  }

  static ArchiveInput open(Path path, String what) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw Files.exists(path, LinkOption.NOFOLLOW_LINKS)
          ? new IOException(what + " " + path + " is not a regular file")
          : new NoSuchFileException(path.toString(), null, what + " not found");
    }
    InputStream raw = Files.newInputStream(path);
    try {
      // Large reads: the tar reader asks for 8 KiB at a time, and each read of the file that
      // comes short of what was asked makes the buffer ask the file whether more is available
      // (an lseek and an fstat).
      BufferedInputStream buffered = new BufferedInputStream(raw, 1 << 20);
      InputStream in = LayerCompression.detect(buffered).decompress(buffered);
      return new ArchiveInput(what + " " + path, raw, new TarArchiveInputStream(in));
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /** The next entry with its name cleaned of a leading {@code ./}, or null at the end. */
  TarArchiveEntry next() throws IOException {
    TarArchiveEntry e = tar.getNextEntry();
    if (e == null) {
      return null;
    }
    if (seen.size() >= MAX_ENTRIES) {
      throw new IOException(what + ": more than " + MAX_ENTRIES + " entries");
    }
    String name = clean(e.getName());
    if (!name.isEmpty() && !seen.add(name)) {
      throw new IOException(what + ": duplicate entry " + name);
    }
    return e;
  }

  /** The entry name without {@code ./} prefixes and trailing slashes. */
  static String clean(String name) {
    String n = name;
    while (n.startsWith("./")) {
      n = n.substring(2);
    }
    while (n.endsWith("/")) {
      n = n.substring(0, n.length() - 1);
    }
    return n.equals(".") ? "" : n;
  }

  /**
   * Whether {@code e} is a regular file. Not {@link TarArchiveEntry#isFile()}: that is true for
   * every entry that is not a directory, symlinks and devices included.
   */
  static boolean isRegularFile(TarArchiveEntry e) {
    byte flag = e.getLinkFlag();
    return flag == TarArchiveEntry.LF_NORMAL
        || flag == TarArchiveEntry.LF_OLDNORM
        || flag == TarArchiveEntry.LF_CONTIG;
  }

  /** The current entry's content (bounded by its size); do not close it. */
  InputStream content() {
    return tar;
  }

  /** A one-line error about the archive. */
  IOException error(String message) {
    return new IOException(what + ": " + message);
  }

  @Override
  public void close() throws IOException {
    try {
      tar.close();
    } finally {
      file.close();
    }
  }
}
