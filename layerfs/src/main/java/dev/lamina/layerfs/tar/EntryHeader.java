package dev.lamina.layerfs.tar;

import java.time.Instant;
import java.util.Map;

/**
 * One tar entry as the applier sees it, after the tar reader and the raw-header checks: names and
 * link targets as the archive spells them (still hostile), numbers range-checked.
 *
 * @param xattrs extended attributes from {@code SCHILY.xattr.*} PAX records, values byte for byte
 */
record EntryHeader(
    String name,
    Kind kind,
    String linkName,
    int mode,
    long uid,
    long gid,
    Instant mtime,
    long size,
    long devMajor,
    long devMinor,
    Map<String, byte[]> xattrs) {

  enum Kind {
    REGULAR,
    DIRECTORY,
    SYMLINK,
    HARDLINK,
    CHAR_DEVICE,
    BLOCK_DEVICE,
    FIFO,
    SOCKET
  }
}
