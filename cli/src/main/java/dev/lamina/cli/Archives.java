package dev.lamina.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

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
        if (isZero(h) || !checksumMatches(h)) {
          return false; // the end of the archive, or not a tar
        }
        char type = (char) h[156];
        String entry = field(h, 0, 100);
        if (field(h, 257, 5).equals("ustar")) {
          String prefix = field(h, 345, 155);
          if (!prefix.isEmpty()) {
            entry = prefix + "/" + entry;
          }
        }
        if ((type == '0' || type == '\0') && (entry.equals(name) || entry.equals("./" + name))) {
          return true;
        }
        long size = size(h);
        if (size < 0) {
          return false;
        }
        pos += BLOCK + (size + BLOCK - 1) / BLOCK * BLOCK;
      }
      return false;
    } catch (IOException e) {
      return false;
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

  /**
   * The header's checksum: its bytes summed, the checksum field counted as spaces; unsigned, or
   * signed as some old writers summed them.
   */
  private static boolean checksumMatches(byte[] h) {
    long unsigned = 0;
    long signed = 0;
    for (int i = 0; i < BLOCK; i++) {
      boolean field = i >= 148 && i < 156;
      unsigned += field ? ' ' : h[i] & 0xff;
      signed += field ? ' ' : h[i];
    }
    long recorded = octal(h, 148, 8);
    return recorded == unsigned || recorded == signed;
  }

  /** The content's size: octal digits, or base-256 for sizes of 8 GiB and more; -1 if invalid. */
  private static long size(byte[] h) {
    if ((h[124] & 0x80) != 0) {
      long v = 0;
      for (int i = 125; i < 136; i++) {
        if (v >>> 55 != 0) {
          return -1;
        }
        v = (v << 8) | (h[i] & 0xff);
      }
      return (h[124] & 0x7f) != 0 ? -1 : v;
    }
    return octal(h, 124, 12);
  }

  /** Octal digits, leading spaces allowed, ended by a NUL or a space; -1 if there are none. */
  private static long octal(byte[] h, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end && h[i] == ' ') {
      i++;
    }
    long v = 0;
    int digits = 0;
    for (; i < end && h[i] >= '0' && h[i] <= '7'; i++, digits++) {
      if (v >>> 60 != 0) {
        return -1;
      }
      v = (v << 3) | (h[i] - '0');
    }
    return digits == 0 || (i < end && h[i] != 0 && h[i] != ' ') ? -1 : v;
  }

  private static String field(byte[] h, int off, int len) {
    int n = 0;
    while (n < len && h[off + n] != 0) {
      n++;
    }
    return new String(h, off, n, StandardCharsets.UTF_8);
  }
}
