package dev.lamina.layerfs.tar;

import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Turns a directory tree into layer entries, sorted by {@link LayerEntry#PATH_ORDER}, with the
 * metadata a layer keeps: full mode (setuid, setgid, sticky), numeric owner, device numbers,
 * symlink targets, xattrs and hardlinks. Symlinks are never followed, sockets are skipped (a layer
 * cannot hold them), and file contents are not read: regular entries point at their files.
 *
 * <p>Files with several links on one device become one regular entry (the first path in sorted
 * order) and hardlink entries to it for the others. Links to files outside the scanned tree stay
 * regular files.
 *
 * <p>Extended attributes that must not travel in a layer are left out: {@code trusted.overlay.*}
 * and {@code user.overlay.*} are overlayfs's private bookkeeping (a layer that carried them could
 * forge whiteouts), and {@code security.selinux} is the host's label for the file, not part of it.
 *
 * <p>The scan trusts the tree not to change while it runs; a file that changes size before it is
 * written fails the write with {@link ContentChangedException}.
 */
public final class DirectoryScanner {
  private DirectoryScanner() {}

  /**
   * Every entry under {@code root} (the root itself excluded).
   *
   * @throws NotDirectoryException if {@code root} is not a directory (a symlink to one included)
   * @throws IOException if a file cannot be listed or stat'ed
   */
  public static List<LayerEntry> scan(Path root) throws IOException {
    return scan(root, path -> true);
  }

  /**
   * The entries under {@code root} whose layer path {@code include} accepts. A directory that is
   * not included is still searched; its included children get it as an implied parent when
   * written. Hardlinks are decided among included paths only, so no entry links to a left-out
   * file.
   *
   * @throws NotDirectoryException if {@code root} is not a directory (a symlink to one included)
   * @throws IOException if a file cannot be listed or stat'ed
   */
  public static List<LayerEntry> scan(Path root, Predicate<String> include) throws IOException {
    Objects.requireNonNull(include, "include");
    if (!Posix.lstat(root).isDirectory()) {
      throw new NotDirectoryException(root.toString());
    }
    List<Found> found = walk(root, include);
    found.sort(Comparator.comparing(Found::path, LayerEntry.PATH_ORDER));

    Map<Inode, String> firstLink = new HashMap<>();
    List<LayerEntry> entries = new ArrayList<>(found.size());
    for (Found f : found) {
      FileStat st = f.stat();
      if (!st.isDirectory() && st.nlink() > 1) {
        String first = firstLink.putIfAbsent(new Inode(st.dev(), st.ino()), f.path());
        if (first != null) {
          entries.add(
              LayerEntry.hardlink(f.path(), first)
                  .withMode(st.permissions())
                  .withOwner(Integer.toUnsignedLong(st.uid()), Integer.toUnsignedLong(st.gid()))
                  .withMtime(Instant.ofEpochSecond(st.mtimeSeconds(), st.mtimeNanos())));
          continue;
        }
      }
      entries.add(entry(f));
    }
    return entries;
  }

  private static List<Found> walk(Path root, Predicate<String> include) throws IOException {
    List<Found> found = new ArrayList<>();
    Deque<String> dirs = new ArrayDeque<>();
    dirs.push("");
    while (!dirs.isEmpty()) {
      String dir = dirs.pop();
      Path at = FileNames.resolve(root, dir);
      try (DirectoryStream<Path> children = Files.newDirectoryStream(at)) {
        for (Path child : children) {
          String name = FileNames.name(child.getFileName());
          String path = dir.isEmpty() ? name : dir + "/" + name;
          FileStat st = Posix.lstat(child);
          if (st.isSocket()) {
            continue;
          }
          if (st.isDirectory()) {
            dirs.push(path);
          }
          if (include.test(path)) {
            found.add(new Found(path, child, st));
          }
        }
      }
    }
    return found;
  }

  private static LayerEntry entry(Found f) throws IOException {
    FileStat st = f.stat();
    LayerEntry base;
    if (st.isDirectory()) {
      base = LayerEntry.directory(f.path());
    } else if (st.isRegularFile()) {
      base = LayerEntry.regular(f.path(), st.size(), ContentSource.ofFile(f.file()));
    } else if (st.isSymlink()) {
      base = LayerEntry.symlink(f.path(), Posix.readlink(f.file()));
    } else if (st.isCharDevice()) {
      base = LayerEntry.charDevice(f.path(), st.rdevMajor(), st.rdevMinor());
    } else if (st.isBlockDevice()) {
      base = LayerEntry.blockDevice(f.path(), st.rdevMajor(), st.rdevMinor());
    } else if (st.isFifo()) {
      base = LayerEntry.fifo(f.path());
    } else {
      throw new IOException("unsupported file type " + Integer.toOctalString(st.type()) + ": "
          + f.file());
    }
    return new LayerEntry(
        base.path(),
        base.type(),
        st.permissions(),
        Integer.toUnsignedLong(st.uid()),
        Integer.toUnsignedLong(st.gid()),
        base.size(),
        base.linkTarget(),
        base.devMajor(),
        base.devMinor(),
        xattrs(f.file()),
        Instant.ofEpochSecond(st.mtimeSeconds(), st.mtimeNanos()),
        base.content());
  }

  /**
   * The extended attributes of {@code file} (not followed) that a layer keeps, sorted by name;
   * see the class comment for those left out.
   *
   * @throws IOException if they cannot be listed
   */
  public static TreeMap<String, byte[]> xattrs(Path file) throws IOException {
    TreeMap<String, byte[]> out = new TreeMap<>();
    for (String name : Posix.llistxattr(file)) {
      if (isLeftOut(name)) {
        continue;
      }
      // Absent by now means it was removed between list and get: nothing to keep.
      Posix.lgetxattr(file, name).ifPresent(value -> out.put(name, value));
    }
    return out;
  }

  /** Whether an xattr stays out of layers; see the class comment for why. */
  public static boolean isLeftOut(String name) {
    return name.startsWith("trusted.overlay.")
        || name.startsWith("user.overlay.")
        || name.equals("security.selinux");
  }

  private record Found(String path, Path file, FileStat stat) {}

  private record Inode(long dev, long ino) {}
}
