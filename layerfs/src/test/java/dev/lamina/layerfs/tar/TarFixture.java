package dev.lamina.layerfs.tar;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes tar bytes by hand, so that tests can say anything a hostile archive can: names with
 * {@code ..}, absolute link targets, any type flag and mode, binary xattrs, raw PAX records,
 * base-256 numbers, GNU long names, the ustar prefix field, and bytes after the end blocks.
 */
public final class TarFixture {
  private static final int BLOCK = 512;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private boolean gnuLongNames;
  private boolean ustarPrefix;
  private byte[] trailing = new byte[0];
  private boolean closed;

  public static TarFixture tar() {
    return new TarFixture();
  }

  /** One entry; fields are public-ish setters used fluently. */
  public static final class Entry {
    String name;
    char type = '0';
    int mode = 0644;
    long uid;
    long gid;
    long mtime = 1_600_000_000L;
    byte[] content = new byte[0];
    Long declaredSize;
    String linkName = "";
    long devMajor;
    long devMinor;
    final Map<String, byte[]> xattrs = new LinkedHashMap<>();
    final Map<String, byte[]> pax = new LinkedHashMap<>();

    Entry(String name, char type) {
      this.name = name;
      this.type = type;
    }

    public Entry mode(int m) {
      mode = m;
      return this;
    }

    public Entry owner(long u, long g) {
      uid = u;
      gid = g;
      return this;
    }

    Entry mtime(long seconds) {
      mtime = seconds;
      return this;
    }

    Entry content(byte[] c) {
      content = c;
      return this;
    }

    /** A size field that differs from the content actually written. */
    Entry declaredSize(long size) {
      declaredSize = size;
      return this;
    }

    Entry xattr(String key, byte[] value) {
      xattrs.put(key, value);
      return this;
    }

    Entry xattr(String key, String value) {
      return xattr(key, value.getBytes(StandardCharsets.UTF_8));
    }

    Entry pax(String key, String value) {
      pax.put(key, value.getBytes(StandardCharsets.UTF_8));
      return this;
    }

    Entry device(long major, long minor) {
      devMajor = major;
      devMinor = minor;
      return this;
    }
  }

  public static Entry fileEntry(String name, String content) {
    return new Entry(name, '0').content(content.getBytes(StandardCharsets.UTF_8));
  }

  public static Entry dirEntry(String name) {
    Entry e = new Entry(name, '5');
    e.mode = 0755;
    return e;
  }

  static Entry symlinkEntry(String name, String target) {
    Entry e = new Entry(name, '2');
    e.linkName = target;
    e.mode = 0777;
    return e;
  }

  static Entry hardlinkEntry(String name, String target) {
    Entry e = new Entry(name, '1');
    e.linkName = target;
    return e;
  }

  static Entry charDevice(String name, long major, long minor) {
    return new Entry(name, '3').device(major, minor).mode(0666);
  }

  static Entry blockDevice(String name, long major, long minor) {
    return new Entry(name, '4').device(major, minor).mode(0660);
  }

  static Entry fifo(String name) {
    return new Entry(name, '6');
  }

  /** Long names go in GNU 'L'/'K' entries instead of PAX records. */
  TarFixture gnuLongNames() {
    gnuLongNames = true;
    return this;
  }

  /** Names up to 255 bytes are split across the ustar prefix and name fields. */
  TarFixture ustarPrefix() {
    ustarPrefix = true;
    return this;
  }

  TarFixture file(String name, String content, int mode) {
    return add(fileEntry(name, content).mode(mode));
  }

  public TarFixture file(String name, String content) {
    return add(fileEntry(name, content));
  }

  TarFixture dir(String name, int mode) {
    return add(dirEntry(name).mode(mode));
  }

  public TarFixture dir(String name) {
    return add(dirEntry(name));
  }

  TarFixture symlink(String name, String target) {
    return add(symlinkEntry(name, target));
  }

  TarFixture hardlink(String name, String target) {
    return add(hardlinkEntry(name, target));
  }

  /** A PAX global header ('g') named {@code name}. */
  public TarFixture globalPax(String name, Map<String, String> records) {
    Map<String, byte[]> raw = new LinkedHashMap<>();
    records.forEach((k, v) -> raw.put(k, v.getBytes(StandardCharsets.UTF_8)));
    byte[] data = paxData(raw);
    writeHeader(name, 'g', 0644, 0, 0, 0, data.length, "", 0, 0);
    writeData(data);
    return this;
  }

  /** Raw bytes inserted as they are (for hand-made headers). */
  TarFixture raw(byte[] bytes) {
    out.writeBytes(bytes);
    return this;
  }

  /** Bytes after the two end-of-archive blocks. */
  TarFixture trailing(byte[] bytes) {
    trailing = bytes;
    return this;
  }

  public TarFixture add(Entry e) {
    Map<String, byte[]> pax = new LinkedHashMap<>(e.pax);
    String name = e.name;
    String prefix = "";
    byte[] nameBytes = utf8(name);
    if (nameBytes.length > 100) {
      if (ustarPrefix && nameBytes.length <= 255) {
        int slash = name.lastIndexOf('/', name.length() - 1);
        while (slash > 0 && (utf8(name.substring(slash + 1)).length > 100 || slash > 155)) {
          slash = name.lastIndexOf('/', slash - 1);
        }
        prefix = name.substring(0, slash);
        name = name.substring(slash + 1);
      } else if (gnuLongNames) {
        writeGnuLong('L', nameBytes);
        name = name.substring(0, 99);
      } else {
        pax.put("path", nameBytes);
        name = name.substring(0, 99);
      }
    }
    String link = e.linkName;
    if (utf8(link).length > 100) {
      if (gnuLongNames) {
        writeGnuLong('K', utf8(link));
      } else {
        pax.put("linkpath", utf8(link));
      }
      link = link.substring(0, 99);
    }
    e.xattrs.forEach((k, v) -> pax.put("SCHILY.xattr." + k, v));
    if (!pax.isEmpty()) {
      byte[] data = paxData(pax);
      writeHeader("PaxHeaders/" + shorten(name), 'x', 0644, 0, 0, 0, data.length, "", 0, 0);
      writeData(data);
    }
    long size = e.declaredSize != null ? e.declaredSize : e.content.length;
    writeHeader(prefix, name, e.type, e.mode, e.uid, e.gid, e.mtime, size, link, e.devMajor,
        e.devMinor);
    writeData(e.content);
    return this;
  }

  public byte[] bytes() {
    if (!closed) {
      out.writeBytes(new byte[2 * BLOCK]);
      out.writeBytes(trailing);
      closed = true;
    }
    return out.toByteArray();
  }

  private static String shorten(String s) {
    return s.length() > 80 ? s.substring(0, 80) : s;
  }

  private void writeGnuLong(char type, byte[] value) {
    byte[] data = new byte[value.length + 1];
    System.arraycopy(value, 0, data, 0, value.length);
    writeHeader("././@LongLink", type, 0644, 0, 0, 0, data.length, "", 0, 0);
    writeData(data);
  }

  static byte[] paxData(Map<String, byte[]> records) {
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    for (Map.Entry<String, byte[]> r : records.entrySet()) {
      byte[] key = utf8(r.getKey());
      int body = 1 + key.length + 1 + r.getValue().length + 1; // " key=value\n"
      int len = body + 1;
      while (String.valueOf(len).length() + body != len) {
        len = String.valueOf(len).length() + body;
      }
      data.writeBytes(utf8(String.valueOf(len)));
      data.write(' ');
      data.writeBytes(key);
      data.write('=');
      data.writeBytes(r.getValue());
      data.write('\n');
    }
    return data.toByteArray();
  }

  private void writeData(byte[] data) {
    out.writeBytes(data);
    int pad = (BLOCK - data.length % BLOCK) % BLOCK;
    out.writeBytes(new byte[pad]);
  }

  private void writeHeader(String name, char type, int mode, long uid, long gid, long mtime,
      long size, String link, long major, long minor) {
    writeHeader("", name, type, mode, uid, gid, mtime, size, link, major, minor);
  }

  private void writeHeader(String prefix, String name, char type, int mode, long uid, long gid,
      long mtime, long size, String link, long major, long minor) {
    byte[] h = header(prefix, name, type, mode, uid, gid, mtime, size, link, major, minor);
    out.writeBytes(h);
  }

  /** A ustar header block with a valid checksum. */
  static byte[] header(String prefix, String name, char type, int mode, long uid, long gid,
      long mtime, long size, String link, long major, long minor) {
    byte[] h = new byte[BLOCK];
    put(h, 0, 100, utf8(name));
    number(h, 100, 8, mode);
    number(h, 108, 8, uid);
    number(h, 116, 8, gid);
    number(h, 124, 12, size);
    number(h, 136, 12, mtime);
    h[156] = (byte) type;
    put(h, 157, 100, utf8(link));
    put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
    put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
    put(h, 265, 32, utf8("root"));
    put(h, 297, 32, utf8("root"));
    number(h, 329, 8, major);
    number(h, 337, 8, minor);
    put(h, 345, 155, utf8(prefix));
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    byte[] chk = String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(chk, 0, h, 148, 8);
    return h;
  }

  private static void put(byte[] h, int off, int len, byte[] value) {
    System.arraycopy(value, 0, h, off, Math.min(len, value.length));
  }

  /** Octal when it fits, else base-256 (two's complement, 0x80/0xff marker). */
  private static void number(byte[] h, int off, int len, long value) {
    String octal = Long.toOctalString(value);
    if (value >= 0 && octal.length() <= len - 1) {
      String padded = "0".repeat(len - 1 - octal.length()) + octal;
      put(h, off, len, (padded + "\0").getBytes(StandardCharsets.US_ASCII));
      return;
    }
    byte[] big = BigInteger.valueOf(value).toByteArray();
    byte fill = (byte) (value < 0 ? 0xff : 0);
    for (int i = 0; i < len; i++) {
      int src = big.length - len + i;
      h[off + i] = src >= 0 ? big[src] : fill;
    }
    if (value >= 0) {
      h[off] = (byte) 0x80;
    } else {
      h[off] = (byte) 0xff;
    }
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static List<Entry> list(Entry... entries) {
    return new ArrayList<>(List.of(entries));
  }
}
