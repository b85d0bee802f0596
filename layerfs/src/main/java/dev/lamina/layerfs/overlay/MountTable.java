package dev.lamina.layerfs.overlay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The mounts this process sees, from {@code /proc/self/mountinfo}. Used to find every mount under
 * Lamina's root (so none is left behind after a failed start or a killed CLI) and to check that a
 * path is an overlay mount before it is unmounted.
 */
public final class MountTable {
  private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

  /**
   * One line of mountinfo. {@code mountPoint} is unescaped (octal {@code \040} etc.); {@code
   * superOptions} are the filesystem's own, as the kernel lists them (empty when it lists none).
   */
  public record Entry(
      int id, int parentId, Path mountPoint, String fsType, String source, String superOptions) {
    /**
     * Whether this is an overlay mounted with {@code volatile}, which newer kernels list as {@code
     * fsync=volatile}.
     */
    public boolean overlayVolatile() {
      List<String> options = List.of(superOptions.split(","));
      return fsType.equals("overlay")
          && (options.contains("volatile") || options.contains("fsync=volatile"));
    }
  }

  private MountTable() {}

  /**
   * Every mount of this process's mount namespace, in mount order.
   *
   * @throws IOException if mountinfo cannot be read
   */
  public static List<Entry> read() throws IOException {
    List<Entry> out = new ArrayList<>();
    for (String line : Files.readAllLines(MOUNTINFO, StandardCharsets.UTF_8)) {
      Entry e = parse(line);
      if (e != null) {
        out.add(e);
      }
    }
    return out;
  }

  /** Parses one mountinfo line; null when it is malformed. */
  public static Entry parse(String line) {
    String[] f = line.split(" ");
    int dash = -1;
    for (int i = 6; i < f.length; i++) {
      if (f[i].equals("-")) {
        dash = i;
        break;
      }
    }
    if (f.length < 7 || dash < 0 || dash + 2 >= f.length) {
      return null;
    }
    try {
      return new Entry(
          Integer.parseInt(f[0]),
          Integer.parseInt(f[1]),
          Path.of(unescape(f[4])),
          unescape(f[dash + 1]),
          unescape(f[dash + 2]),
          dash + 3 < f.length ? f[dash + 3] : "");
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Undoes the kernel's octal escaping of space, tab, newline and backslash. */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && isOctal(s, i + 1)) {
        out.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '7') {
        return false;
      }
    }
    return true;
  }

  /**
   * The mount points at or below {@code dir}, deepest first: the order in which they can be
   * unmounted. A path mounted several times appears once per mount.
   *
   * @throws IOException if mountinfo cannot be read
   */
  public static List<Path> mountPointsUnder(Path dir) throws IOException {
    Path base = dir.toAbsolutePath().normalize();
    List<Entry> all = read();
    List<Path> out = new ArrayList<>();
    // Reverse mount order first, so stacked mounts on one point come off top first.
    for (int i = all.size() - 1; i >= 0; i--) {
      Path p = all.get(i).mountPoint();
      if (p.startsWith(base)) {
        out.add(p);
      }
    }
    // Deepest first. (Not Comparator.comparingInt: its lambda is spun at run time, not archived.)
    out.sort((a, b) -> Integer.compare(b.getNameCount(), a.getNameCount()));
    return out;
  }

  /**
   * Whether {@code path} is itself a mount point of type {@code fsType}.
   *
   * @throws IOException if mountinfo cannot be read
   */
  public static boolean isMountPoint(Path path, String fsType) throws IOException {
    Path p = path.toAbsolutePath().normalize();
    for (Entry e : read()) {
      if (e.mountPoint().equals(p) && e.fsType().equals(fsType)) {
        return true;
      }
    }
    return false;
  }
}
