package dev.lamina.layerfs.transport;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * An archive Lamina writes: entries sorted by name, mtime 0, owner 0:0 with no names, modes 0644
 * and 0755, parent directories explicit. The same content always gives the same bytes.
 */
final class ReproducibleTar {
  /** The content of one file entry, opened when it is written. */
  @FunctionalInterface
  interface Content {
    InputStream open() throws IOException;
  }

  private record Item(long size, Content content) {}

  private static final int OUTPUT_BUFFER = 1 << 20;

  private final Map<String, Item> files = new TreeMap<>();

  /** Adds a file (the name uses '/' and no leading slash). Duplicates keep the first. */
  void add(String name, long size, Content content) {
    files.putIfAbsent(name, new Item(size, content));
  }

  void add(String name, byte[] bytes) {
    add(name, bytes.length, () -> new java.io.ByteArrayInputStream(bytes));
  }

  void add(String name, String text) {
    add(name, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Writes the archive to {@code out}; every content stream is read to its end (so a verifying
   * stream checks it) and must yield exactly the declared size.
   */
  void writeTo(OutputStream out) throws IOException {
    TreeMap<String, Item> all = new TreeMap<>();
    for (Map.Entry<String, Item> e : files.entrySet()) {
      String name = e.getKey();
      for (int i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
        all.putIfAbsent(name.substring(0, i + 1), null);
      }
      all.put(name, e.getValue());
    }
    // commons-compress hands its output one 512-byte record at a time: unbuffered, a 300 MB layer
    // would be some 600,000 write calls.
    BufferedOutputStream buffered = new BufferedOutputStream(out, OUTPUT_BUFFER);
    TarArchiveOutputStream tar =
        new TarArchiveOutputStream(buffered, StandardCharsets.UTF_8.name());
    tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
    tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
    tar.setAddPaxHeadersForNonAsciiNames(true);
    for (Map.Entry<String, Item> e : all.entrySet()) {
      boolean dir = e.getValue() == null;
      TarArchiveEntry entry =
          new TarArchiveEntry(e.getKey(), dir ? TarArchiveEntry.LF_DIR : TarArchiveEntry.LF_NORMAL);
      entry.setModTime(new Date(0));
      entry.setIds(0, 0);
      entry.setNames("", "");
      entry.setMode(dir ? 040755 : 0100644);
      if (!dir) {
        entry.setSize(e.getValue().size());
      }
      tar.putArchiveEntry(entry);
      if (!dir) {
        long written;
        try (InputStream in = e.getValue().content().open()) {
          written = in.transferTo(tar);
        }
        if (written != e.getValue().size()) {
          throw new IOException(
              "archive entry " + e.getKey() + " changed size while being written");
        }
      }
      tar.closeArchiveEntry();
    }
    tar.finish();
    // The tar stream's flush stops at its own record buffer: the buffer below is flushed here.
    tar.flush();
    buffered.flush();
  }

  /** Names, sorted (for tests). */
  List<String> names() {
    return List.copyOf(files.keySet());
  }
}
