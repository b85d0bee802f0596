package dev.lamina.layerfs.tar;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SortedMap;
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
    List<LayerEntry> entries = new ArrayList<>();
    try {
      // Files opened by path when written: a list may be held long, with nothing held open for it.
      treeWalk(root, include, false).forEach(entries::add);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return entries;
  }

  /**
   * The entries {@link #scan} finds, one at a time as a {@link TreeWalk} finds them, in {@link
   * LayerEntry#PATH_ORDER}: for {@link LayerWriter#writeSorted}, without holding the tree. Each
   * iteration walks afresh. Regular files are {@link WalkedFile}s, read by name in their
   * directories, the small ones read ahead of the write ({@link ReadAhead}): the entries are for
   * a writer that opens each file as it comes.
   *
   * @throws NotDirectoryException if {@code root} is not a directory (a symlink to one included)
   * @throws IOException if it cannot be stat'ed
   */
  public static Iterable<LayerEntry> walk(Path root, Predicate<String> include)
      throws IOException {
    return ReadAhead.of(treeWalk(root, include, true));
  }

  /**
   * As {@link #walk}, of a directory of an overlayfs mount, its whiteouts left out as the mount's
   * lookups leave them out (see {@link TreeWalk#hidingWhiteouts}).
   *
   * @throws NotDirectoryException if {@code root} is not a directory (a symlink to one included)
   * @throws IOException if it cannot be stat'ed
   */
  public static Iterable<LayerEntry> walkOverlay(Path root, Predicate<String> include)
      throws IOException {
    return ReadAhead.of(treeWalk(root, include, true).hidingWhiteouts());
  }

  /**
   * As {@link #walk}, of a directory of one overlay lower layer whose whiteouts are in {@code
   * format}, leaving out what a mount reading it in that form takes for whiteouts (see {@link
   * TreeWalk#hidingWhiteoutsOf}). Where no other layer of the mount has anything, this is what the
   * mount shows: whiteouts there hide only what lower layers hold, which is nothing; opaque
   * markers are left out as every overlay attribute is ({@link #isLeftOut}).
   *
   * @throws NotDirectoryException if {@code root} is not a directory (a symlink to one included)
   * @throws IOException if it cannot be stat'ed
   */
  public static Iterable<LayerEntry> walkLayer(
      Path root, Predicate<String> include, WhiteoutFormat.Overlay format) throws IOException {
    return ReadAhead.of(treeWalk(root, include, true).hidingWhiteoutsOf(format));
  }

  private static TreeWalk treeWalk(Path root, Predicate<String> include, boolean byName)
      throws IOException {
    Objects.requireNonNull(include, "include");
    if (!Posix.lstat(root).isDirectory()) {
      throw new NotDirectoryException(root.toString());
    }
    return new TreeWalk(root, include,
        (path, file, st, xattrs, hardlinkTo, recalled, where) ->
            entry(path, file, st, xattrs, hardlinkTo, byName ? where : null));
  }

  /** The entry of a file the walk found; its content read by name {@code where} (or by path). */
  private static LayerEntry entry(String path, Path file, FileStat st,
      SortedMap<String, byte[]> xattrs, String hardlinkTo, TreeWalk.Where where)
      throws IOException {
    if (hardlinkTo != null) {
      return LayerEntry.hardlink(path, hardlinkTo)
          .withMode(st.permissions())
          .withOwner(Integer.toUnsignedLong(st.uid()), Integer.toUnsignedLong(st.gid()))
          .withMtime(st.mtime());
    }
    Found f = new Found(path, file, st, xattrs);
    LayerEntry base;
    if (st.isDirectory()) {
      base = LayerEntry.directory(f.path());
    } else if (st.isRegularFile()) {
      base = LayerEntry.regular(f.path(), st.size(), where == null
          ? ContentSource.ofFile(f.file()) : new WalkedFile(f.file(), st.size(), where));
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
        f.xattrs(),
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

  private record Found(String path, Path file, FileStat stat, SortedMap<String, byte[]> xattrs) {}
}
