package dev.lamina.layerfs.tar;

import dev.lamina.layerfs.posix.FileNames;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Encodes the header blocks of one entry: a POSIX ustar header, preceded by a PAX extended header
 * when a value does not fit ustar (long or non-ASCII names and link targets, sizes of 8 GiB and
 * more, large ids, xattrs). Owner names, atime and ctime are never written, and nothing depends on
 * the host, so equal entries always give equal bytes.
 */
final class TarHeaders {
  static final int BLOCK = 512;

  static final long MAX_OCTAL_11 = 077777777777L;
  private static final long MAX_OCTAL_7 = 07777777L;
  private static final int NAME_LENGTH = 100;
  /** The header's bytes up to the end of the device minor field: all a header here writes. */
  private static final int USED = 345;
  private static final String XATTR_PREFIX = "SCHILY.xattr.";
  private static final byte[] USTAR_MAGIC = ascii("ustar\0" + "00");

  private TarHeaders() {}

  /** The header blocks of {@code entry} with its modification time set to {@code mtime}. */
  static byte[] encode(LayerEntry entry, long mtime) {
    return encode(entry, mtime, new byte[BLOCK]);
  }

  /**
   * The same, written into {@code block} (one block, overwritten) when one header is all the entry
   * needs, as nearly every entry does: a million-file layer then makes no header array per entry.
   * The result is {@code block} or a new array; either is read before the next call.
   */
  static byte[] encode(LayerEntry entry, long mtime, byte[] block) {
    String name = entry.type() == EntryType.DIRECTORY ? entry.path().concat("/") : entry.path();
    byte[] nameBytes = FileNames.encode(name);
    byte[] linkBytes = FileNames.encode(entry.linkTarget());
    if (nameBytes.length <= NAME_LENGTH && isAscii(nameBytes)
        && linkBytes.length <= NAME_LENGTH && isAscii(linkBytes)
        && entry.size() <= MAX_OCTAL_11 && entry.uid() <= MAX_OCTAL_7
        && entry.gid() <= MAX_OCTAL_7 && entry.xattrs().isEmpty()) {
      Arrays.fill(block, (byte) 0);
      return ustar(block, entry, nameBytes, linkBytes, mtime);
    }

    Map<String, byte[]> pax = new TreeMap<>();
    if (nameBytes.length > NAME_LENGTH || !isAscii(nameBytes)) {
      pax.put("path", nameBytes);
    }
    if (linkBytes.length > NAME_LENGTH || !isAscii(linkBytes)) {
      pax.put("linkpath", linkBytes);
    }
    if (entry.size() > MAX_OCTAL_11) {
      pax.put("size", ascii(Long.toString(entry.size())));
    }
    if (entry.uid() > MAX_OCTAL_7) {
      pax.put("uid", ascii(Long.toString(entry.uid())));
    }
    if (entry.gid() > MAX_OCTAL_7) {
      pax.put("gid", ascii(Long.toString(entry.gid())));
    }
    for (Map.Entry<String, byte[]> x : entry.xattrs().entrySet()) {
      pax.put(XATTR_PREFIX + x.getKey(), x.getValue());
    }

    byte[] header = ustar(new byte[BLOCK], entry, nameBytes, linkBytes, mtime);
    byte[] records = paxRecords(pax);
    byte[] paxHeader = paxHeader(nameBytes, records.length, mtime);
    int padded = padded(records.length);
    byte[] out = new byte[BLOCK + padded + BLOCK];
    System.arraycopy(paxHeader, 0, out, 0, BLOCK);
    System.arraycopy(records, 0, out, BLOCK, records.length);
    System.arraycopy(header, 0, out, BLOCK + padded, BLOCK);
    return out;
  }

  /** {@code n} rounded up to whole blocks. */
  static int padded(int n) {
    return (n + BLOCK - 1) / BLOCK * BLOCK;
  }

  /** Fills {@code h}, one zeroed block, with the ustar header of {@code e}. */
  private static byte[] ustar(byte[] h, LayerEntry e, byte[] name, byte[] link, long mtime) {
    putName(h, 0, name);
    putOctal(h, 100, 8, e.mode());
    putOctal(h, 108, 8, e.uid() > MAX_OCTAL_7 ? 0 : e.uid());
    putOctal(h, 116, 8, e.gid() > MAX_OCTAL_7 ? 0 : e.gid());
    putOctal(h, 124, 12, e.size() > MAX_OCTAL_11 ? 0 : e.size());
    putOctal(h, 136, 12, mtime);
    h[156] = (byte) e.type().typeFlag();
    putName(h, 157, link);
    put(h, 257, USTAR_MAGIC);
    if (e.type().isDevice()) {
      putOctal(h, 329, 8, e.devMajor());
      putOctal(h, 337, 8, e.devMinor());
    }
    checksum(h);
    return h;
  }

  private static byte[] paxHeader(byte[] name, int length, long mtime) {
    // Named like GNU tar's %d/PaxHeaders/%f, minus the process id, so the name is reproducible.
    String path = new String(sanitised(name), StandardCharsets.US_ASCII);
    if (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    int slash = path.lastIndexOf('/');
    String paxName = path.substring(0, slash + 1) + "PaxHeaders/" + path.substring(slash + 1);
    byte[] h = new byte[BLOCK];
    putName(h, 0, ascii(paxName));
    putOctal(h, 100, 8, 0644);
    putOctal(h, 108, 8, 0);
    putOctal(h, 116, 8, 0);
    putOctal(h, 124, 12, length);
    putOctal(h, 136, 12, mtime);
    h[156] = 'x';
    put(h, 257, USTAR_MAGIC);
    checksum(h);
    return h;
  }

  /** PAX records {@code "LEN KEY=VALUE\n"}, where LEN counts the whole record, itself included. */
  private static byte[] paxRecords(Map<String, byte[]> pax) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> r : pax.entrySet()) {
      byte[] key = r.getKey().getBytes(StandardCharsets.UTF_8);
      byte[] value = r.getValue();
      int base = key.length + value.length + 3;
      int digits = Integer.toString(base).length();
      if (Integer.toString(base + digits).length() > digits) {
        digits++;
      }
      out.writeBytes(ascii(Integer.toString(base + digits) + " "));
      out.writeBytes(key);
      out.write('=');
      out.writeBytes(value);
      out.write('\n');
    }
    return out.toByteArray();
  }

  /** Writes up to 100 bytes of a name; longer or non-ASCII names also go in a PAX record. */
  private static void putName(byte[] h, int off, byte[] name) {
    byte[] clean = sanitised(name);
    System.arraycopy(clean, 0, h, off, Math.min(clean.length, NAME_LENGTH));
  }

  private static byte[] sanitised(byte[] name) {
    if (isAscii(name)) {
      return name;
    }
    byte[] copy = name.clone();
    for (int i = 0; i < copy.length; i++) {
      if (copy[i] < 0) {
        copy[i] = '_';
      }
    }
    return copy;
  }

  /** {@code width - 1} zero-padded octal digits and a NUL, as GNU tar and Go write them. */
  private static void putOctal(byte[] h, int off, int width, long value) {
    // Digits written from the last, with no string made: a header has six of these, and a
    // build of a million files writes a million headers.
    if (value < 0 || (value >>> (3 * (width - 1))) != 0) {
      throw new IllegalStateException(
          "value " + value + " does not fit a " + width + "-byte field");
    }
    long rest = value;
    for (int i = off + width - 2; i >= off; i--) {
      h[i] = (byte) ('0' + (rest & 7));
      rest >>>= 3;
    }
    h[off + width - 1] = 0;
  }

  private static void checksum(byte[] h) {
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    // Nothing is written past the device numbers (the prefix field is never used): the rest of
    // the block is zeros, which add nothing.
    long sum = 0;
    for (int i = 0; i < USED; i++) {
      sum += h[i] & 0xff;
    }
    putOctal(h, 148, 7, sum);
    h[155] = ' ';
  }

  private static void put(byte[] h, int off, byte[] bytes) {
    System.arraycopy(bytes, 0, h, off, bytes.length);
  }

  private static boolean isAscii(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
