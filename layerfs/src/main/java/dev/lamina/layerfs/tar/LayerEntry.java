package dev.lamina.layerfs.tar;

import java.time.Instant;
import java.util.Collections;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One entry to write into a layer tar.
 *
 * <p>The path is relative to the layer root, {@code /}-separated and normalised: no leading
 * {@code /} or {@code ./}, no {@code .} or {@code ..} component, no empty component and no trailing
 * slash (the writer adds the slash of directory entries). The layer root itself is never an entry.
 * Whiteouts are ordinary empty regular files named {@code .wh.NAME} or {@code .wh..wh..opq}.
 *
 * <p>Equality compares xattr values and content sources by identity; compare paths and metadata
 * explicitly when that matters.
 *
 * @param path the normalised path inside the layer
 * @param type what kind of entry this is
 * @param mode all twelve permission bits: {@code 0777} plus setuid, setgid and sticky
 * @param uid numeric owner (0 to 2^32-1); names are never written
 * @param gid numeric group (0 to 2^32-1)
 * @param size content length; zero for everything but regular files
 * @param linkTarget the symlink's target as stored, or the normalised path of the hardlink's
 *     target inside the layer; empty for every other type
 * @param devMajor device major number for character and block devices, else zero
 * @param devMinor device minor number for character and block devices, else zero
 * @param xattrs extended attributes, sorted by name; values are raw bytes
 * @param mtime modification time; the writer may replace it to make the layer reproducible
 * @param content the bytes of a regular file (exactly {@code size} of them); null for other types
 */
public record LayerEntry(
    String path,
    EntryType type,
    int mode,
    long uid,
    long gid,
    long size,
    String linkTarget,
    int devMajor,
    int devMinor,
    SortedMap<String, byte[]> xattrs,
    Instant mtime,
    ContentSource content) {

  /** Largest device number the ustar header can hold (seven octal digits). */
  public static final int MAX_DEVICE_NUMBER = 07777777;

  private static final long MAX_ID = 0xFFFF_FFFFL;

  /**
   * Orders paths as a walk of the tree that lists each directory in the byte order of its names'
   * UTF-8 encoding (which is Unicode code point order) and goes into each subdirectory where its
   * name comes: the order of GNU tar's {@code --sort=name} and of BuildKit's walk. It is the byte
   * order of the paths with {@code /} counted below every other character, so a directory's
   * whole subtree comes before a sibling that extends its name ({@code a}, {@code a/b}, {@code
   * a-b}), and a parent sorts before its children. The order never depends on the JVM, the locale
   * or the filesystem, and a walk can produce it one directory at a time.
   */
  public static final Comparator<String> PATH_ORDER = LayerEntry::compareCodePoints;

  public LayerEntry {
    Objects.requireNonNull(type, "type");
    requireNormalised(path);
    if (mode < 0 || mode > 07777) {
      throw new IllegalArgumentException(
          path + ": mode " + Integer.toOctalString(mode) + " is not within 07777");
    }
    if (uid < 0 || uid > MAX_ID || gid < 0 || gid > MAX_ID) {
      throw new IllegalArgumentException(path + ": owner " + uid + ":" + gid + " out of range");
    }
    if (size < 0 || (size != 0 && type != EntryType.REGULAR)) {
      throw new IllegalArgumentException(path + ": size " + size + " is invalid for " + type);
    }
    Objects.requireNonNull(linkTarget, "linkTarget");
    if (type.isLink() == linkTarget.isEmpty()) {
      throw new IllegalArgumentException(
          path + ": " + type + (type.isLink() ? " needs" : " cannot have") + " a link target");
    }
    if (linkTarget.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(path + ": link target contains NUL");
    }
    if (type == EntryType.HARDLINK) {
      requireNormalised(linkTarget);
    }
    if (!type.isDevice() && (devMajor != 0 || devMinor != 0)) {
      throw new IllegalArgumentException(path + ": only devices have device numbers");
    }
    if (devMajor < 0 || devMajor > MAX_DEVICE_NUMBER || devMinor < 0
        || devMinor > MAX_DEVICE_NUMBER) {
      throw new IllegalArgumentException(
          path + ": device " + devMajor + ":" + devMinor + " out of range");
    }
    xattrs = copyXattrs(path, xattrs);
    Objects.requireNonNull(mtime, "mtime");
    if ((content != null) != (type == EntryType.REGULAR)) {
      throw new IllegalArgumentException(
          path + ": " + type + (content == null ? " needs" : " cannot have") + " content");
    }
  }

  /** A directory, mode 0755, owned by 0:0. */
  public static LayerEntry directory(String path) {
    return of(path, EntryType.DIRECTORY, 0755, 0, "", 0, 0, null);
  }

  /** A regular file of {@code size} bytes read from {@code content}, mode 0644, owned by 0:0. */
  public static LayerEntry regular(String path, long size, ContentSource content) {
    return of(path, EntryType.REGULAR, 0644, size, "", 0, 0, content);
  }

  /** An empty regular file, such as a whiteout marker. */
  public static LayerEntry emptyFile(String path) {
    return regular(path, 0, ContentSource.empty());
  }

  /** A symbolic link to {@code target} (stored verbatim), mode 0777. */
  public static LayerEntry symlink(String path, String target) {
    return of(path, EntryType.SYMLINK, 0777, 0, target, 0, 0, null);
  }

  /** A hard link to the entry at {@code target}, which must be in the same layer. */
  public static LayerEntry hardlink(String path, String target) {
    return of(path, EntryType.HARDLINK, 0644, 0, target, 0, 0, null);
  }

  /** A character device, mode 0666. */
  public static LayerEntry charDevice(String path, int major, int minor) {
    return of(path, EntryType.CHAR_DEVICE, 0666, 0, "", major, minor, null);
  }

  /** A block device, mode 0660. */
  public static LayerEntry blockDevice(String path, int major, int minor) {
    return of(path, EntryType.BLOCK_DEVICE, 0660, 0, "", major, minor, null);
  }

  /** A named pipe, mode 0644. */
  public static LayerEntry fifo(String path) {
    return of(path, EntryType.FIFO, 0644, 0, "", 0, 0, null);
  }

  private static LayerEntry of(
      String path,
      EntryType type,
      int mode,
      long size,
      String target,
      int major,
      int minor,
      ContentSource content) {
    return new LayerEntry(
        path, type, mode, 0, 0, size, target, major, minor, null, Instant.EPOCH, content);
  }

  /** A copy at another path (for instance under a COPY destination). */
  public LayerEntry withPath(String newPath) {
    return new LayerEntry(newPath, type, mode, uid, gid, size, linkTarget, devMajor, devMinor,
        xattrs, mtime, content);
  }

  /** A copy with another hardlink target; only for hardlinks moved along with their target. */
  public LayerEntry withLinkTarget(String newTarget) {
    return new LayerEntry(path, type, mode, uid, gid, size, newTarget, devMajor, devMinor,
        xattrs, mtime, content);
  }

  /** A copy with other permission bits (all twelve). */
  public LayerEntry withMode(int newMode) {
    return new LayerEntry(path, type, newMode, uid, gid, size, linkTarget, devMajor, devMinor,
        xattrs, mtime, content);
  }

  /** A copy with another numeric owner and group. */
  public LayerEntry withOwner(long newUid, long newGid) {
    return new LayerEntry(path, type, mode, newUid, newGid, size, linkTarget, devMajor, devMinor,
        xattrs, mtime, content);
  }

  /** A copy with these extended attributes instead. */
  public LayerEntry withXattrs(Map<String, byte[]> newXattrs) {
    return new LayerEntry(path, type, mode, uid, gid, size, linkTarget, devMajor, devMinor,
        newXattrs == null ? null : new TreeMap<>(newXattrs), mtime, content);
  }

  /** A copy with another modification time. */
  public LayerEntry withMtime(Instant newMtime) {
    return new LayerEntry(path, type, mode, uid, gid, size, linkTarget, devMajor, devMinor,
        xattrs, newMtime, content);
  }

  /**
   * Normalises a path given in a looser form: strips leading {@code /} and {@code ./}, drops empty
   * and {@code .} components and a trailing slash.
   *
   * @throws IllegalArgumentException if it contains {@code ..}, a NUL, or names the root
   */
  public static String normalise(String path) {
    Objects.requireNonNull(path, "path");
    StringBuilder out = new StringBuilder(path.length());
    for (String part : path.split("/", -1)) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        throw new IllegalArgumentException("layer path must not contain '..': " + path);
      }
      if (out.length() > 0) {
        out.append('/');
      }
      out.append(part);
    }
    if (out.length() == 0) {
      throw new IllegalArgumentException("layer path names the layer root: '" + path + "'");
    }
    String normal = out.toString();
    requireNormalised(normal);
    return normal;
  }

  private static void requireNormalised(String path) {
    Objects.requireNonNull(path, "path");
    if (path.isEmpty()) {
      throw new IllegalArgumentException("layer path must not be empty");
    }
    if (path.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("layer path contains NUL: " + path);
    }
    int start = 0;
    while (start <= path.length()) {
      int slash = path.indexOf('/', start);
      int end = slash < 0 ? path.length() : slash;
      int len = end - start;
      if (len == 0
          || (len == 1 && path.charAt(start) == '.')
          || (len == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.')) {
        throw new IllegalArgumentException("layer path is not normalised: '" + path + "'");
      }
      start = end + 1;
    }
  }

  private static SortedMap<String, byte[]> copyXattrs(String path, Map<String, byte[]> in) {
    if (in == null || in.isEmpty()) {
      return Collections.emptySortedMap();
    }
    TreeMap<String, byte[]> copy = new TreeMap<>();
    for (Map.Entry<String, byte[]> e : in.entrySet()) {
      String name = e.getKey();
      // A PAX keyword ends at '=' and a record at '\n': such names could not be read back.
      if (name == null || name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0
          || name.indexOf('\n') >= 0) {
        throw new IllegalArgumentException(path + ": invalid xattr name '" + name + "'");
      }
      copy.put(name, Objects.requireNonNull(e.getValue(), "xattr value").clone());
    }
    return Collections.unmodifiableSortedMap(copy);
  }

  private static int compareCodePoints(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        if (x == '/' || y == '/') {
          return x == '/' ? -1 : 1;
        }
        // UTF-16 order differs from code point order only where a surrogate (a code point above
        // U+FFFF) meets U+E000..U+FFFF; lift surrogates above that range before comparing.
        if (x >= 0xD800 && y >= 0xD800) {
          x = x >= 0xE000 ? (char) (x - 0x800) : (char) (x + 0x2000);
          y = y >= 0xE000 ? (char) (y - 0x800) : (char) (y + 0x2000);
        }
        return Character.compare(x, y);
      }
    }
    return Integer.compare(a.length(), b.length());
  }
}
