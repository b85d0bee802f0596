package dev.lamina.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarUtils;

/** Peeks into archive files to tell their kind. */
final class Archives {
  /** Headers looked at before giving up: more than an image archive has entries. */
  private static final int MAX_HEADERS = 200_000;
  private static final int BLOCK = 512;

  private Archives() {}

  /**
   * Whether the tar {@code file} has a regular file named {@code name} (or {@code ./name}); false
   * for a file that is not a plain tar (a compressed archive, say), or at its first damaged
   * header (the load that follows reports what is wrong).
   *
   * <p>Only the headers are read, each found by seeking past the content before it: scanning the
   * archive as a stream read all of it once more before it was loaded (359 MB for an image of
   * 50,000 files). A name is looked for where a plain header keeps it (name and ustar prefix),
   * not in pax or GNU long-name records, which a short name such as {@code oci-layout} never
   * needs.
   */
  static boolean hasEntry(Path file, String name) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer header = ByteBuffer.allocate(BLOCK);
      long end = ch.size();
      long pos = 0;
      for (int n = 0; n < MAX_HEADERS && pos + BLOCK <= end; n++) {
        header.clear();
        while (header.hasRemaining()) {
          if (ch.read(header, pos + header.position()) < 0) {
            return false;
          }
        }
        byte[] h = header.array();
        if (isZero(h) || !TarUtils.verifyCheckSum(h)) {
          return false; // the end of the archive, or not a tar
        }
        TarArchiveEntry entry = new TarArchiveEntry(h); // name with its ustar prefix, and size
        String entryName = entry.getName();
        if (entry.isFile() && (entryName.equals(name) || entryName.equals("./" + name))) {
          return true;
        }
        long size = entry.getSize();
        if (size < 0) {
          return false;
        }
        pos += BLOCK + (size + BLOCK - 1) / BLOCK * BLOCK;
      }
      return false;
    } catch (IOException | IllegalArgumentException e) {
      return false; // a damaged header: the load that follows says what is wrong
    }
  }

  private static boolean isZero(byte[] h) {
    for (byte b : h) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }
}
