package dev.lamina.layerfs.tar;

import dev.lamina.layerfs.posix.FileNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The tar reader of extraction: it reads a layer's header blocks and PAX records itself and hands
 * out each entry's data, held to what a layer may contain.
 *
 * <p>An archive means one tree or none: where tar readers disagree on what it means, it is refused
 * (GHSA-3cv2-h65g-fgmm), never read one of the ways. What it reads is what Go's archive/tar (the
 * reader of containerd, moby and BuildKit) and GNU tar read. It refuses:
 *
 * <ul>
 *   <li>a header whose checksum is wrong (Go and GNU tar refuse it; commons-compress read it);
 *   <li>header-only entries (links, devices, directories) that declare data: Go reads none, GNU
 *       tar skips it;
 *   <li>sparse files;
 *   <li>PAX global headers that would rename, resize, re-own or relink later entries (Go ignores
 *       global records, GNU tar applies them); other global records (comments, times) are ignored,
 *       as Go ignores them;
 *   <li>two PAX headers, two GNU long names or two long link names before one entry, a GNU
 *       long name beside a PAX path (Go lets the long name win, GNU tar the PAX path), and a
 *       global header between an extended header and its entry (Go drops the extended header);
 *   <li>a lone zero block followed by another entry (Go refuses it, GNU tar stops there);
 *   <li>numbers that readers parse differently: digits after a leading NUL, base-256 values
 *       without a canonical sign byte; and a ustar prefix under an unknown ustar version;
 *   <li>an archive that ends inside a header, its metadata or its data.
 * </ul>
 *
 * <p>PAX values stay bytes (binary xattrs such as {@code security.capability} survive), numbers are
 * read in full and range-checked, never truncated to an int. Every byte comes through {@link
 * MeteredInputStream}, which caps the total and the metadata read before one entry.
 */
final class LayerTarReader extends InputStream {
  static final int BLOCK = 512;
  private static final String XATTR = "SCHILY.xattr.";
  /** PAX keys that, in a global header, would change what later entries are, where, or whose. */
  private static final Set<String> ENTRY_KEYS = Set.of(
      "path", "linkpath", "size", "uid", "gid", "uname", "gname",
      "SCHILY.devmajor", "SCHILY.devminor", "SCHILY.filetype");
  private static final List<String> PAX_TIMES = List.of("mtime", "atime", "ctime");
  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;
  private static final long MAX_ID = 0xFFFF_FFFEL;
  private static final long MAX_DEV = 0xFFFF_FFFFL;
  private static final byte[] MAGIC_USTAR = {'u', 's', 't', 'a', 'r', 0};
  private static final byte[] VERSION_USTAR = {'0', '0'};
  private static final byte[] MAGIC_GNU = {'u', 's', 't', 'a', 'r', ' ', ' ', 0};
  private static final byte[] TRAILER_STAR = {'t', 'a', 'r', 0};
  private static final byte[] SPARSE = "sparse".getBytes(StandardCharsets.US_ASCII);

  private final MeteredInputStream in;
  private final int maxHeaderBytes;
  private final byte[] block = new byte[BLOCK];
  private final byte[] scratch = new byte[8192];
  /** Data bytes of the current entry not yet read, and the padding after them. */
  private long remaining;
  private int padding;
  private String current = "";
  private boolean ended;

  LayerTarReader(MeteredInputStream in, int maxHeaderBytes) {
    this.in = in;
    this.maxHeaderBytes = maxHeaderBytes;
  }

  /**
   * The next entry, after what is left of the current one, or {@code null} at the end of the
   * archive.
   *
   * @throws LayerFormatException for a corrupt or disallowed entry
   * @throws IOException when the underlying stream fails
   */
  EntryHeader nextHeader() throws IOException {
    // The rest of the current entry is data, outside the metadata budget of the next header.
    skipRest();
    if (ended) {
      return null;
    }
    // Header blocks and padding come on top of the PAX data and long names.
    in.limitHeader(maxHeaderBytes + 32L * 1024);
    try {
      return readHeader();
    } catch (RuntimeException e) {
      throw new LayerFormatException("corrupt tar: " + e, e);
    } finally {
      in.unlimitHeader();
    }
  }

  /** Reads the current entry's data; -1 at its end. */
  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (remaining <= 0) {
      return -1;
    }
    int n = in.read(b, off, (int) Math.min(len, remaining));
    if (n < 0) {
      throw new LayerFormatException(current, "the archive ends inside this entry's data");
    }
    remaining -= n;
    return n;
  }

  @Override
  public int read() throws IOException {
    int n = read(scratch, 0, 1);
    return n <= 0 ? -1 : scratch[0] & 0xff;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = 0;
    while (skipped < n && remaining > 0) {
      int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
      skipped += r;
    }
    return skipped;
  }

  @Override
  public int available() {
    return 0;
  }

  /** Reads what is left of the current entry's data and its padding (read, so it is hashed). */
  private void skipRest() throws IOException {
    skip(remaining);
    skipPadding(padding);
    padding = 0;
  }

  private void skipPadding(int n) throws IOException {
    if (n > 0 && in.readNBytes(scratch, 0, n) != n) {
      throw new LayerFormatException(current, "the archive ends inside this entry's padding");
    }
  }

  private EntryHeader readHeader() throws IOException {
    Map<String, byte[]> pax = null;
    byte[] globalPax = null;
    byte[] longName = null;
    byte[] longLink = null;
    while (true) {
      if (!readBlock()) {
        if (pax != null || globalPax != null || longName != null || longLink != null) {
          throw new LayerFormatException("the archive ends after an extended header, before its"
              + " entry");
        }
        ended = true;
        return null;
      }
      if (isZero(block)) {
        if (pax != null || globalPax != null || longName != null || longLink != null) {
          throw new LayerFormatException("an extended header is followed by the end of the"
              + " archive, not by its entry");
        }
        // The end is two zero blocks. After a lone one, Go refuses an entry and GNU tar stops.
        if (readBlock() && !isZero(block)) {
          throw new LayerFormatException("a lone zero block is followed by another entry, which"
              + " tar readers disagree on");
        }
        ended = true;
        return null;
      }
      checkSum();
      byte flag = block[156];
      long size = number(124, 12, "size");
      if (size < 0) {
        throw new LayerFormatException("corrupt tar: a header declares a negative size");
      }
      switch (flag) {
        case 'x' -> {
          if (pax != null) {
            throw new LayerFormatException("two PAX headers precede one entry, which tar"
                + " readers disagree on");
          }
          pax = parseRecords(null, metadata(size));
        }
        case 'g' -> {
          if (pax != null || longName != null || longLink != null) {
            // Go returns a global header as an entry of its own, dropping what came before it.
            throw new LayerFormatException("a PAX global header comes between an extended header"
                + " and its entry, which tar readers disagree on");
          }
          globalPax = concat(globalPax, metadata(size));
        }
        case 'L' -> {
          if (longName != null) {
            throw new LayerFormatException("two GNU long names precede one entry, which tar"
                + " readers disagree on");
          }
          longName = withoutTrailingNuls(metadata(size));
        }
        case 'K' -> {
          if (longLink != null) {
            throw new LayerFormatException("two GNU long link names precede one entry, which"
                + " tar readers disagree on");
          }
          longLink = withoutTrailingNuls(metadata(size));
        }
        default -> {
          return entry(flag, size, pax == null ? Map.of() : pax, globalPax, longName, longLink);
        }
      }
    }
  }

  private EntryHeader entry(byte flag, long size, Map<String, byte[]> pax, byte[] globalPax,
      byte[] longName, byte[] longLink) throws IOException {
    byte[] paxPath = pax.get("path");
    if (paxPath != null && longName != null) {
      throw new LayerFormatException(FileNames.decode(paxPath), "both a GNU long name and a PAX"
          + " path name this entry, which tar readers disagree on");
    }
    byte[] nameBytes = paxPath != null ? paxPath : longName != null ? longName : headerName();
    String name = FileNames.decode(nameBytes);
    current = name;
    if (name.indexOf('\0') >= 0) {
      throw new LayerFormatException(name, "the name contains a NUL byte");
    }
    if (globalPax != null) {
      checkGlobalRecords(name, parseRecords(name, globalPax));
    }
    if (flag == 'S' || isSparse(pax)) {
      throw new LayerFormatException(name, "sparse files are not supported in layers");
    }
    long mode = number(100, 8, "mode");
    if (mode < 0 || mode > 0xFFFF_FFFFL) {
      throw new LayerFormatException(name, "mode " + mode + " is out of range");
    }
    boolean slash = nameBytes.length > 0 && nameBytes[nameBytes.length - 1] == '/';
    EntryHeader.Kind kind = kindOf(flag, (int) mode, slash, name);
    if (pax.containsKey("size")) {
      size = paxNumber(name, pax.get("size"), "size", Long.MAX_VALUE);
    }
    if (kind != EntryHeader.Kind.REGULAR && size != 0) {
      // Go's archive/tar reads no data for these types, commons-compress and GNU tar skip it:
      // such an archive extracts differently depending on the tool.
      throw new LayerFormatException(name, "a " + kind + " entry declares data bytes");
    }
    long uid = pax.containsKey("uid") ? paxNumber(name, pax.get("uid"), "uid", Long.MAX_VALUE)
        : number(108, 8, "uid");
    long gid = pax.containsKey("gid") ? paxNumber(name, pax.get("gid"), "gid", Long.MAX_VALUE)
        : number(116, 8, "gid");
    if (uid < 0 || uid > MAX_ID || gid < 0 || gid > MAX_ID) {
      throw new LayerFormatException(name, "owner " + uid + ":" + gid + " is out of range");
    }
    long major = 0;
    long minor = 0;
    if (kind == EntryHeader.Kind.CHAR_DEVICE || kind == EntryHeader.Kind.BLOCK_DEVICE) {
      if (!matches(257, MAGIC_USTAR) && !matches(257, MAGIC_GNU) && !isZero(329, 345)) {
        // An old (V7) header has no device fields: Go reads them as 0, commons-compress did not.
        throw new LayerFormatException(name, "device numbers in a header without a ustar magic,"
            + " which tar readers disagree on");
      }
      major = pax.containsKey("SCHILY.devmajor")
          ? paxNumber(name, pax.get("SCHILY.devmajor"), "device number", MAX_DEV)
          : number(329, 8, "device major");
      minor = pax.containsKey("SCHILY.devminor")
          ? paxNumber(name, pax.get("SCHILY.devminor"), "device number", MAX_DEV)
          : number(337, 8, "device minor");
      if (major < 0 || major > MAX_DEV || minor < 0 || minor > MAX_DEV) {
        throw new LayerFormatException(name, "device number " + (major < 0 || major > MAX_DEV
            ? major : minor) + " is out of range");
      }
    }
    Instant mtime = Instant.ofEpochSecond(number(136, 12, "mtime"));
    if (!pax.isEmpty()) {
      // Every PAX time is checked, as Go checks them; only mtime is kept.
      for (String key : PAX_TIMES) {
        byte[] value = pax.get(key);
        if (value != null) {
          Instant t = paxTime(name, key, value);
          if (key.equals("mtime")) {
            mtime = t;
          }
        }
      }
    }
    byte[] linkBytes = pax.get("linkpath");
    if (linkBytes == null) {
      linkBytes = longLink != null ? longLink : field(157, 100);
    }
    remaining = kind == EntryHeader.Kind.REGULAR ? size : 0;
    padding = (int) ((BLOCK - remaining % BLOCK) % BLOCK);
    return new EntryHeader(
        name,
        kind,
        FileNames.decode(linkBytes),
        (int) mode & 07777,
        uid,
        gid,
        mtime,
        size,
        major,
        minor,
        xattrs(pax));
  }

  /** Whether PAX records describe a sparse file, as GNU tar or star write it. */
  private static boolean isSparse(Map<String, byte[]> pax) {
    for (String key : pax.keySet()) {
      if (key.startsWith("GNU.sparse.")) {
        return true;
      }
    }
    return Arrays.equals(pax.get("SCHILY.filetype"), SPARSE);
  }

  private static Map<String, byte[]> xattrs(Map<String, byte[]> pax) {
    if (pax.isEmpty()) {
      return Map.of();
    }
    Map<String, byte[]> xattrs = new TreeMap<>();
    for (Map.Entry<String, byte[]> record : pax.entrySet()) {
      if (record.getKey().startsWith(XATTR) && record.getKey().length() > XATTR.length()) {
        xattrs.put(record.getKey().substring(XATTR.length()), record.getValue());
      }
    }
    return xattrs.isEmpty() ? Map.of() : Collections.unmodifiableMap(xattrs);
  }

  /**
   * The header's own name: the name field, after the prefix field in the POSIX ustar format
   * (131 bytes of it in star's, which marks itself at the end of the block).
   */
  private byte[] headerName() throws LayerFormatException {
    byte[] name = field(0, 100);
    if (matches(257, MAGIC_GNU)) {
      return name; // GNU keeps times and sparse maps where ustar has its prefix
    }
    boolean ustar = matches(257, MAGIC_USTAR);
    if (ustar && !matches(263, VERSION_USTAR)) {
      if (block[345] != 0) {
        throw new LayerFormatException(FileNames.decode(name), "a ustar prefix under an unknown"
            + " ustar version, which tar readers disagree on");
      }
      return name;
    }
    if (!ustar) {
      return name; // old (V7) tar: no prefix
    }
    byte[] prefix = field(345, matches(508, TRAILER_STAR) ? 131 : 155);
    if (prefix.length == 0) {
      return name;
    }
    byte[] full = Arrays.copyOf(prefix, prefix.length + 1 + name.length);
    full[prefix.length] = '/';
    System.arraycopy(name, 0, full, prefix.length + 1, name.length);
    return full;
  }

  private static EntryHeader.Kind kindOf(byte flag, int mode, boolean slash, String name)
      throws LayerFormatException {
    if ((flag == '0' || flag == 0 || flag == '7') && (mode & S_IFMT) == S_IFSOCK) {
      return EntryHeader.Kind.SOCKET;
    }
    return switch (flag) {
      // Old (V7) archives mark directories only by a trailing slash; Go reads them the same.
      case 0 -> slash ? EntryHeader.Kind.DIRECTORY : EntryHeader.Kind.REGULAR;
      case '0', '7' -> EntryHeader.Kind.REGULAR;
      case '1' -> EntryHeader.Kind.HARDLINK;
      case '2' -> EntryHeader.Kind.SYMLINK;
      case '3' -> EntryHeader.Kind.CHAR_DEVICE;
      case '4' -> EntryHeader.Kind.BLOCK_DEVICE;
      case '5' -> EntryHeader.Kind.DIRECTORY;
      case '6' -> EntryHeader.Kind.FIFO;
      default -> throw new LayerFormatException(
          name, "unsupported tar entry type '" + printableFlag(flag) + "'");
    };
  }

  private static String printableFlag(byte flag) {
    return flag >= 0x21 && flag < 0x7f
        ? String.valueOf((char) flag)
        : String.format("\\x%02x", flag & 0xff);
  }

  // ---- blocks and fields -------------------------------------------------------------------

  /** Reads the next block; false at a clean end of the stream before it. */
  private boolean readBlock() throws IOException {
    int n = in.readNBytes(block, 0, BLOCK);
    if (n == 0) {
      return false;
    }
    if (n < BLOCK) {
      throw new LayerFormatException("the archive ends inside a header block");
    }
    return true;
  }

  private static boolean isZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  private boolean isZero(int from, int to) {
    for (int i = from; i < to; i++) {
      if (block[i] != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The checksum: the octal field against the sum of the block's bytes with the field itself as
   * spaces, unsigned or (as some old tars wrote it) signed, both of which Go and GNU tar accept.
   */
  private void checkSum() throws LayerFormatException {
    long stored = octal(148, 8, "checksum");
    long unsigned = 8 * ' ';
    for (int i = 0; i < 148; i++) {
      unsigned += block[i] & 0xff;
    }
    for (int i = 156; i < BLOCK; i++) {
      unsigned += block[i] & 0xff;
    }
    if (stored == unsigned) {
      return;
    }
    // The signed sum differs by 256 for each byte of 0x80 and more.
    long signed = unsigned;
    for (int i = 0; i < BLOCK; i++) {
      if (block[i] < 0 && (i < 148 || i >= 156)) {
        signed -= 256;
      }
    }
    if (stored != signed) {
      throw new LayerFormatException("corrupt tar: a header's checksum is wrong");
    }
  }

  private boolean matches(int offset, byte[] expected) {
    return Arrays.equals(block, offset, offset + expected.length, expected, 0, expected.length);
  }

  /** A text field: its bytes up to the first NUL. */
  private byte[] field(int offset, int length) {
    int end = offset;
    while (end < offset + length && block[end] != 0) {
      end++;
    }
    return Arrays.copyOfRange(block, offset, end);
  }

  /**
   * A numeric field: octal text, or base-256 when the top bit is set: 0x80 and a positive value,
   * or 0xff and a negative one in two's complement. Go and GNU tar take the second-highest bit of
   * the first byte as the sign, commons-compress the whole byte; only the forms all agree on pass.
   */
  private long number(int offset, int length, String what) throws LayerFormatException {
    int first = block[offset] & 0xff;
    if ((first & 0x80) == 0) {
      return octal(offset, length, what);
    }
    boolean negative = first == 0xff;
    if (!negative && first != 0x80 || negative && (block[offset + 1] & 0x80) == 0) {
      throw new LayerFormatException("corrupt tar: a header's " + what + " is a base-256 number"
          + " that tar readers disagree on");
    }
    long value = negative ? -1 : 0;
    for (int i = offset + 1; i < offset + length; i++) {
      if (!negative && (value >>> 55) != 0 || negative && (value >> 55) != -1) {
        throw new LayerFormatException("corrupt tar: a header's " + what + " is out of range");
      }
      value = value << 8 | (block[i] & 0xff);
    }
    return value;
  }

  /**
   * Octal digits, after leading spaces and before trailing spaces or NULs. A field that starts
   * with a NUL must hold nothing else: commons-compress reads such a field as 0, Go and GNU tar
   * read the digits after it.
   */
  private long octal(int offset, int length, String what) throws LayerFormatException {
    int start = offset;
    int end = offset + length;
    if (block[start] == 0) {
      for (int i = start; i < end; i++) {
        if (block[i] != 0 && block[i] != ' ') {
          throw new LayerFormatException("corrupt tar: a header's " + what + " has digits after"
              + " a NUL, which tar readers disagree on");
        }
      }
      return 0;
    }
    while (start < end && block[start] == ' ') {
      start++;
    }
    while (end > start && (block[end - 1] == 0 || block[end - 1] == ' ')) {
      end--;
    }
    long value = 0;
    for (int i = start; i < end; i++) {
      byte b = block[i];
      if (b < '0' || b > '7') {
        throw new LayerFormatException("corrupt tar: a header's " + what + " is not an octal"
            + " number");
      }
      value = value << 3 | (b - '0');
    }
    return value;
  }

  /** Reads an extended header's data (at most the metadata limit), and its padding. */
  private byte[] metadata(long size) throws IOException {
    if (size > maxHeaderBytes) {
      throw new LayerFormatException("the metadata of one entry (PAX headers, long names)"
          + " exceeds " + maxHeaderBytes + " bytes");
    }
    byte[] data = in.readNBytes((int) size);
    if (data.length != size) {
      throw new LayerFormatException("the archive ends inside an extended header");
    }
    skipPadding((int) ((BLOCK - size % BLOCK) % BLOCK));
    return data;
  }

  private static byte[] withoutTrailingNuls(byte[] data) {
    int n = data.length;
    while (n > 0 && data[n - 1] == 0) {
      n--;
    }
    return n == data.length ? data : Arrays.copyOf(data, n);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    if (a == null) {
      return b;
    }
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  // ---- PAX records -------------------------------------------------------------------------

  private static void checkGlobalRecords(String name, Map<String, byte[]> records)
      throws LayerFormatException {
    for (String key : records.keySet()) {
      if (ENTRY_KEYS.contains(key) || key.startsWith("GNU.sparse.")) {
        throw new LayerFormatException(
            name,
            "a PAX global header sets '"
                + LayerFormatException.printable(key)
                + "', which tar readers disagree on");
      }
    }
  }

  /** A PAX number: decimal digits only (no sign, no spaces), at most {@code max}. */
  private static long paxNumber(String name, byte[] value, String what, long max)
      throws LayerFormatException {
    if (value.length == 0 || value.length > 19) {
      throw new LayerFormatException(name, "corrupt tar: the PAX " + what + " is not a number"
          + " in range");
    }
    long n = 0;
    for (byte b : value) {
      if (b < '0' || b > '9') {
        throw new LayerFormatException(name, "corrupt tar: the PAX " + what + " is not a"
            + " number");
      }
      n = n * 10 + (b - '0');
    }
    if (n < 0 || n > max) {
      throw new LayerFormatException(name, "corrupt tar: the PAX " + what + " " + n
          + " is out of range");
    }
    return n;
  }

  /** A PAX time: decimal seconds, with a sign and a fraction (nanoseconds kept, the rest cut). */
  private static Instant paxTime(String name, String key, byte[] value)
      throws LayerFormatException {
    int i = 0;
    boolean negative = value.length > 0 && value[0] == '-';
    if (negative) {
      i++;
    }
    int digits = 0;
    long seconds = 0;
    for (; i < value.length && value[i] >= '0' && value[i] <= '9'; i++, digits++) {
      seconds = seconds * 10 + (value[i] - '0');
    }
    long nanos = 0;
    int fraction = 0;
    boolean point = i < value.length && value[i] == '.';
    if (point) {
      for (i++; i < value.length && value[i] >= '0' && value[i] <= '9'; i++, fraction++) {
        if (fraction < 9) {
          nanos = nanos * 10 + (value[i] - '0');
        }
      }
      for (int f = fraction; f < 9; f++) {
        nanos *= 10;
      }
    }
    if (i != value.length || digits == 0 || digits > 18 || point && fraction == 0
        || fraction > 19) {
      throw new LayerFormatException(name, "corrupt tar: the PAX " + key + " '"
          + LayerFormatException.printable(new String(value, StandardCharsets.ISO_8859_1))
          + "' is not a time");
    }
    try {
      return negative ? Instant.ofEpochSecond(-seconds, -nanos) : Instant.ofEpochSecond(seconds,
          nanos);
    } catch (DateTimeException e) {
      throw new LayerFormatException(name, "corrupt tar: the PAX " + key + " is out of range");
    }
  }

  /**
   * Parses PAX records ({@code "<length> <key>=<value>\n"}) keeping values as bytes; a problem
   * names the entry {@code name} when it is known (null: not yet). A later record
   * replaces an earlier one and an empty value deletes the key, as in the PAX specification.
   */
  static Map<String, byte[]> parseRecords(String name, byte[] data) throws LayerFormatException {
    try {
      return records(data);
    } catch (LayerFormatException e) {
      // The records of a local header come before the name they may hold.
      throw name == null ? e : new LayerFormatException(name, "malformed PAX record");
    }
  }

  private static Map<String, byte[]> records(byte[] data) throws LayerFormatException {
    Map<String, byte[]> records = new LinkedHashMap<>();
    int pos = 0;
    while (pos < data.length && data[pos] != 0) {
      int space = pos;
      long length = 0;
      while (space < data.length && data[space] >= '0' && data[space] <= '9') {
        length = length * 10 + (data[space] - '0');
        if (length > data.length) {
          throw new LayerFormatException("malformed PAX record length");
        }
        space++;
      }
      if (space == pos || space >= data.length || data[space] != ' '
          || pos + length > data.length) {
        throw new LayerFormatException("malformed PAX record");
      }
      int end = (int) (pos + length);
      if (end <= space + 1 || data[end - 1] != '\n') {
        throw new LayerFormatException("malformed PAX record");
      }
      int equals = space + 1;
      while (equals < end - 1 && data[equals] != '=') {
        equals++;
      }
      if (equals >= end - 1 && data[equals] != '=') {
        throw new LayerFormatException("malformed PAX record");
      }
      String key = new String(data, space + 1, equals - space - 1, StandardCharsets.UTF_8);
      byte[] value = Arrays.copyOfRange(data, equals + 1, end - 1);
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
