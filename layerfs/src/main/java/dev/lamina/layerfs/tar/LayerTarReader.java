package dev.lamina.layerfs.tar;

import dev.lamina.layerfs.posix.FileNames;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * commons-compress's tar reader, held to what a layer may contain.
 *
 * <p>It adds what the library lacks: a cap on PAX header size (through {@link
 * MeteredInputStream}), PAX values byte for byte (the library decodes them as UTF-8, which
 * corrupts binary xattrs such as {@code security.capability}), device numbers without int
 * truncation, and refusals where tar readers disagree, so that one digest cannot mean two trees
 * (GHSA-3cv2-h65g-fgmm): header-only entries that declare data, sparse files, and PAX global
 * headers that would rename, resize, re-own or relink later entries (Go-based tools ignore global
 * records, commons-compress and GNU tar apply them). Other global records (a comment, times) are
 * ignored as Go's archive/tar ignores them.
 */
final class LayerTarReader extends TarArchiveInputStream {
  private static final String XATTR = "SCHILY.xattr.";
  /** PAX keys that, in a global header, would change what later entries are, where, or whose. */
  private static final java.util.Set<String> ENTRY_KEYS = java.util.Set.of(
      "path", "linkpath", "size", "uid", "gid", "uname", "gname",
      "SCHILY.devmajor", "SCHILY.devminor", "SCHILY.filetype");
  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;
  private static final long MAX_ID = 0xFFFF_FFFEL;
  private static final long MAX_DEV = 0xFFFF_FFFFL;

  private final MeteredInputStream metered;
  private final int maxHeaderBytes;
  private final ByteArrayOutputStream localPax = new ByteArrayOutputStream();
  private final ByteArrayOutputStream globalPax = new ByteArrayOutputStream();
  /** Whether a global header set a time, which the library then applies to every later entry. */
  private boolean globalTimes;

  LayerTarReader(MeteredInputStream metered, int maxHeaderBytes) {
    // ISO-8859-1 maps each header byte to one char, so names reach toHeader byte for byte.
    super(metered, "ISO-8859-1");
    this.metered = metered;
    this.maxHeaderBytes = maxHeaderBytes;
  }

  /** Captures the raw bytes of PAX headers as the library reads them through this stream. */
  @Override
  public int read(byte[] buf, int offset, int numToRead) throws IOException {
    int n = super.read(buf, offset, numToRead);
    TarArchiveEntry current = getCurrentEntry();
    if (n > 0 && current != null) {
      if (current.isGlobalPaxHeader()) {
        globalPax.write(buf, offset, n);
      } else if (current.isPaxHeader()) {
        localPax.write(buf, offset, n);
      }
    }
    return n;
  }

  /**
   * The next entry, or {@code null} at the end of the archive.
   *
   * @throws LayerFormatException for a corrupt or disallowed entry
   * @throws IOException when the underlying stream fails
   */
  EntryHeader nextHeader() throws IOException {
    localPax.reset();
    globalPax.reset();
    TarArchiveEntry entry;
    // Header blocks and the end-of-archive block remainder come on top of the PAX data.
    metered.limitHeader(maxHeaderBytes + 32L * 1024);
    try {
      entry = getNextEntry();
    } catch (LayerFormatException e) {
      throw e;
    } catch (IOException e) {
      if (metered.isSourceFailure(e)) {
        throw e;
      }
      throw new LayerFormatException("corrupt tar: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new LayerFormatException("corrupt tar: " + e, e);
    } finally {
      metered.unlimitHeader();
    }
    if (entry == null) {
      return null;
    }
    return toHeader(entry);
  }

  private EntryHeader toHeader(TarArchiveEntry entry) throws IOException {
    Map<String, byte[]> pax = parseRecords(entry.getName(), localPax.toByteArray());
    String name = fileName(entry.getName(), pax.get("path"));
    if (name.indexOf('\0') >= 0) {
      throw new LayerFormatException(name, "the name contains a NUL byte");
    }
    checkGlobalRecords(name);
    if (entry.isSparse()) {
      throw new LayerFormatException(name, "sparse files are not supported in layers");
    }
    EntryHeader.Kind kind = kindOf(entry);
    if (kind != EntryHeader.Kind.REGULAR && entry.getSize() != 0) {
      // Go's archive/tar reads no data for these types, commons-compress and GNU tar skip it:
      // such an archive extracts differently depending on the tool.
      throw new LayerFormatException(name, "a " + kind + " entry declares data bytes");
    }
    long uid = entry.getLongUserId();
    long gid = entry.getLongGroupId();
    if (uid < 0 || uid > MAX_ID || gid < 0 || gid > MAX_ID) {
      throw new LayerFormatException(name, "owner " + uid + ":" + gid + " is out of range");
    }
    long major = 0;
    long minor = 0;
    if (kind == EntryHeader.Kind.CHAR_DEVICE || kind == EntryHeader.Kind.BLOCK_DEVICE) {
      major = deviceNumber(name, pax, "SCHILY.devmajor", 329, entry.getDevMajor(), entry);
      minor = deviceNumber(name, pax, "SCHILY.devminor", 337, entry.getDevMinor(), entry);
    }
    Map<String, byte[]> xattrs = new TreeMap<>();
    for (Map.Entry<String, byte[]> record : pax.entrySet()) {
      if (record.getKey().startsWith(XATTR) && record.getKey().length() > XATTR.length()) {
        xattrs.put(record.getKey().substring(XATTR.length()), record.getValue());
      }
    }
    FileTime mtime = entry.getLastModifiedTime();
    byte[] record = metered.lastRecord();
    if (globalTimes && !pax.containsKey("mtime") && record != null
        && record[156] == entry.getLinkFlag()) {
      // Go reads the header's own time; the library took the global one.
      mtime = FileTime.from(Instant.ofEpochSecond(headerNumber(record, 136, 12).longValue()));
    }
    return new EntryHeader(
        name,
        kind,
        fileName(entry.getLinkName(), pax.get("linkpath")),
        entry.getMode() & 07777,
        uid,
        gid,
        mtime == null ? Instant.EPOCH : mtime.toInstant(),
        entry.getSize(),
        major,
        minor,
        Collections.unmodifiableMap(xattrs));
  }

  /**
   * A name or link target as bytes, from its PAX record when there is one (the library decodes
   * those as UTF-8, replacing what is not), else from the header, read as ISO-8859-1.
   */
  private static String fileName(String fromHeader, byte[] fromPax) {
    return FileNames.decode(
        fromPax != null ? fromPax : fromHeader.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static EntryHeader.Kind kindOf(TarArchiveEntry entry) throws LayerFormatException {
    byte flag = entry.getLinkFlag();
    if ((flag == '0' || flag == 0 || flag == '7') && (entry.getMode() & S_IFMT) == S_IFSOCK) {
      return EntryHeader.Kind.SOCKET;
    }
    switch (flag) {
      case 0:
        // Old (V7) archives mark directories only by a trailing slash; Go reads them the same.
        return entry.getName().endsWith("/")
            ? EntryHeader.Kind.DIRECTORY
            : EntryHeader.Kind.REGULAR;
      case '0':
      case '7':
        return EntryHeader.Kind.REGULAR;
      case '1':
        return EntryHeader.Kind.HARDLINK;
      case '2':
        return EntryHeader.Kind.SYMLINK;
      case '3':
        return EntryHeader.Kind.CHAR_DEVICE;
      case '4':
        return EntryHeader.Kind.BLOCK_DEVICE;
      case '5':
        return EntryHeader.Kind.DIRECTORY;
      case '6':
        return EntryHeader.Kind.FIFO;
      default:
        throw new LayerFormatException(
            entry.getName(), "unsupported tar entry type '" + printableFlag(flag) + "'");
    }
  }

  private static String printableFlag(byte flag) {
    return flag >= 0x21 && flag < 0x7f
        ? String.valueOf((char) flag)
        : String.format("\\x%02x", flag & 0xff);
  }

  /**
   * A device number from the PAX record when there is one, else from the raw header (the library
   * casts base-256 values to int, so 2^32+1 would silently become 1).
   */
  private long deviceNumber(
      String name,
      Map<String, byte[]> pax,
      String paxKey,
      int offset,
      int libraryValue,
      TarArchiveEntry entry)
      throws LayerFormatException {
    BigInteger value;
    byte[] fromPax = pax.get(paxKey);
    if (fromPax != null) {
      try {
        value = new BigInteger(new String(fromPax, StandardCharsets.US_ASCII).trim());
      } catch (NumberFormatException e) {
        throw new LayerFormatException(name, "device number is not a number");
      }
    } else {
      byte[] record = metered.lastRecord();
      if (record != null && record[156] == entry.getLinkFlag()) {
        value = headerNumber(record, offset, 8);
      } else {
        value = BigInteger.valueOf(libraryValue);
      }
    }
    if (value.signum() < 0 || value.compareTo(BigInteger.valueOf(MAX_DEV)) > 0) {
      throw new LayerFormatException(name, "device number " + value + " is out of range");
    }
    return value.longValueExact();
  }

  /** A numeric header field: octal text, or base-256 (two's complement) when the top bit is set. */
  static BigInteger headerNumber(byte[] record, int offset, int length) {
    if ((record[offset] & 0x80) != 0) {
      byte[] bytes = java.util.Arrays.copyOfRange(record, offset, offset + length);
      // 0x80 marks a positive value, 0xff a negative one (two's complement).
      if ((bytes[0] & 0xff) == 0x80) {
        bytes[0] = 0;
      }
      return new BigInteger(bytes);
    }
    int i = offset;
    int end = offset + length;
    while (i < end && record[i] == ' ') {
      i++;
    }
    BigInteger value = BigInteger.ZERO;
    while (i < end && record[i] >= '0' && record[i] <= '7') {
      value = value.shiftLeft(3).add(BigInteger.valueOf(record[i] - '0'));
      i++;
    }
    return value;
  }

  private void checkGlobalRecords(String name) throws LayerFormatException {
    if (globalPax.size() == 0) {
      return;
    }
    for (String key : parseRecords(name, globalPax.toByteArray()).keySet()) {
      if (key.equals("mtime")) {
        globalTimes = true;
      }
      if (ENTRY_KEYS.contains(key) || key.startsWith("GNU.sparse.")) {
        throw new LayerFormatException(
            name,
            "a PAX global header sets '"
                + LayerFormatException.printable(key)
                + "', which tar readers disagree on");
      }
    }
  }

  /**
   * Parses PAX records ({@code "<length> <key>=<value>\n"}) keeping values as bytes. A later record
   * replaces an earlier one and an empty value deletes the key, as in the PAX specification.
   */
  static Map<String, byte[]> parseRecords(String name, byte[] data) throws LayerFormatException {
    Map<String, byte[]> records = new LinkedHashMap<>();
    int pos = 0;
    while (pos < data.length && data[pos] != 0) {
      int space = pos;
      long length = 0;
      while (space < data.length && data[space] >= '0' && data[space] <= '9') {
        length = length * 10 + (data[space] - '0');
        if (length > data.length) {
          throw new LayerFormatException(name, "malformed PAX record length");
        }
        space++;
      }
      if (space == pos || space >= data.length || data[space] != ' ' || pos + length > data.length) {
        throw new LayerFormatException(name, "malformed PAX record");
      }
      int end = (int) (pos + length);
      if (end <= space + 1 || data[end - 1] != '\n') {
        throw new LayerFormatException(name, "malformed PAX record");
      }
      int equals = space + 1;
      while (equals < end - 1 && data[equals] != '=') {
        equals++;
      }
      if (equals >= end - 1 && data[equals] != '=') {
        throw new LayerFormatException(name, "malformed PAX record");
      }
      String key = new String(data, space + 1, equals - space - 1, StandardCharsets.UTF_8);
      byte[] value = java.util.Arrays.copyOfRange(data, equals + 1, end - 1);
      if (value.length == 0) {
        records.remove(key);
      } else {
        records.put(key, value);
      }
      pos = end;
    }
    return records;
  }
}
