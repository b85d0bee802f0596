package dev.lamina.layerfs.overlay;

import static dev.lamina.layerfs.tar.LayerPaths.baseName;
import static dev.lamina.layerfs.tar.LayerPaths.join;
import static dev.lamina.layerfs.tar.LayerPaths.parentOf;

import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.posix.Statx;
import dev.lamina.layerfs.tar.DirectoryScanner;
import dev.lamina.layerfs.tar.EntryType;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.Whiteouts;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What changed in a plain directory tree since it was recorded, as the entries of an OCI layer:
 * the diff of a RUN step on a {@link FlattenedRootfs}, where no overlayfs upper catches the writes.
 *
 * <p>{@link #record} keeps each path's lstat (type, mode, owner, size, modification and status
 * change times in nanoseconds, inode, link count, symlink target). {@link #entries} walks the tree
 * again and emits, in the shape {@link UpperDiff} gives an upper:
 *
 * <ul>
 *   <li>new paths, and paths whose lstat differs: the status change time moves on every write,
 *       chmod, chown, xattr change, link and rename, and no program can set it back, so a file
 *       whose modification time was restored is still seen;
 *   <li>a directory that is a different inode than before, or has another birth time (removed and
 *       made again: a filesystem hands a freed inode number out again at once, so the number alone
 *       does not tell) with an opaque marker and everything under it, as overlayfs makes a
 *       directory made again where one was (where the filesystem keeps no birth time and the new
 *       directory gets the old one's number, it shows as the same directory with whiteouts for
 *       what it no longer holds: the same tree, in another form);
 *   <li>removed paths as {@code .wh.NAME} whiteouts, only the top-most one of a removed subtree;
 *   <li>the directories above each of those, as an upper holds its copied-up parents.
 * </ul>
 *
 * <p>Entries are made by {@link DirectoryScanner} from the tree itself (contents streamed from
 * the files, xattrs kept as in any layer), so files linked to each other among the emitted entries
 * become hardlink entries. Sockets are skipped, as in every layer.
 */
public final class TreeDiff {
  private final Path root;
  private final Map<String, Node> before;

  private TreeDiff(Path root, Map<String, Node> before) {
    this.root = root;
    this.before = before;
  }

  /**
   * Records {@code root} as it is now.
   *
   * @throws IOException if the tree cannot be read
   */
  public static TreeDiff record(Path root) throws IOException {
    return new TreeDiff(root, walk(root));
  }

  /**
   * The layer entries of what changed since {@link #record}.
   *
   * @throws IOException as {@link #entries(Set)}
   */
  public List<LayerEntry> entries() throws IOException {
    return entries(Set.of());
  }

  /**
   * Like {@link #entries()}, leaving out the new paths in {@code artifacts} (mount points an OCI
   * runtime created, see {@link MountPoints#createdIn}); a path that was there when recorded is
   * never left out, as an upper keeps the parents it copied up.
   *
   * @throws IOException if the tree cannot be read, or a changed file has a name reserved for
   *     whiteouts
   */
  public List<LayerEntry> entries(Set<String> artifacts) throws IOException {
    Map<String, Node> after = walk(root);
    Set<String> include = new HashSet<>();
    // Directories made since the record (new, or replacing what was there): all under them is new.
    Set<String> freshDirs = new HashSet<>();
    Set<String> opaque = new HashSet<>();
    // Parents come before their children in code-point order, so freshness flows down.
    for (Map.Entry<String, Node> e : after.entrySet()) {
      String path = e.getKey();
      Node now = e.getValue();
      Node was = before.get(path);
      if (was == null && artifacts.contains(path)) {
        continue;
      }
      boolean replaced = was == null || !now.sameInode(was);
      boolean underFresh = freshDirs.contains(parentOf(path));
      if (now.isDirectory() && (replaced || underFresh)) {
        freshDirs.add(path);
        if (was != null && was.isDirectory() && replaced && !underFresh) {
          opaque.add(path);
        }
      }
      if (replaced || underFresh || !now.equals(was)) {
        if (Whiteouts.isWhiteout(baseName(path))) {
          // Written as it is, it would delete files of the layers below instead.
          throw new IOException(
              "cannot make a layer: " + path + " has a name reserved for OCI whiteouts");
        }
        addWithParents(include, path);
      }
    }
    Set<String> removed = new HashSet<>();
    for (Map.Entry<String, Node> e : before.entrySet()) {
      String path = e.getKey();
      String parent = parentOf(path);
      Node parentNow = parent.isEmpty() ? null : after.get(parent);
      // Under a removed, replaced or fresh parent the path is gone with it: no whiteout of its own.
      boolean parentKept =
          parent.isEmpty()
              || (parentNow != null && parentNow.isDirectory() && !freshDirs.contains(parent));
      if (!after.containsKey(path) && parentKept) {
        removed.add(path);
        if (!parent.isEmpty()) {
          addWithParents(include, parent);
        }
      }
    }
    Instant rootMtime = new Node(Posix.lstat(root), null, null).mtime();
    return assemble(
        DirectoryScanner.scan(root, include::contains), opaque, removed, after, rootMtime);
  }

  /** The scanned entries with opaque markers and whiteouts added, sorted. */
  private static List<LayerEntry> assemble(
      List<LayerEntry> scanned,
      Set<String> opaque,
      Set<String> removed,
      Map<String, Node> after,
      Instant rootMtime) {
    List<LayerEntry> out = new ArrayList<>(scanned.size() + opaque.size() + removed.size());
    for (LayerEntry e : scanned) {
      out.add(e);
      if (e.type() == EntryType.DIRECTORY && opaque.contains(e.path())) {
        out.add(LayerEntry.emptyFile(join(e.path(), Whiteouts.OPAQUE)).withMtime(e.mtime()));
      }
    }
    for (String path : removed) {
      String parent = parentOf(path);
      Instant when = parent.isEmpty() ? rootMtime : after.get(parent).mtime();
      out.add(
          LayerEntry.emptyFile(join(parent, Whiteouts.whiteoutFor(baseName(path)))).withMtime(when));
    }
    out.sort(Comparator.comparing(LayerEntry::path, LayerEntry.PATH_ORDER));
    return out;
  }

  private static void addWithParents(Set<String> include, String path) {
    String p = path;
    while (!p.isEmpty() && include.add(p)) {
      p = parentOf(p);
    }
  }

  private static Map<String, Node> walk(Path root) throws IOException {
    Map<String, Node> nodes = new TreeMap<>(LayerEntry.PATH_ORDER);
    Deque<String> dirs = new ArrayDeque<>();
    dirs.push("");
    while (!dirs.isEmpty()) {
      String dir = dirs.pop();
      Path at = FileNames.resolve(root, dir);
      try (DirectoryStream<Path> children = Files.newDirectoryStream(at)) {
        for (Path child : children) {
          String path = join(dir, FileNames.name(child.getFileName()));
          FileStat st = Posix.lstat(child);
          if (st.isSocket()) {
            continue;
          }
          if (st.isDirectory()) {
            dirs.push(path);
          }
          String target = st.isSymlink() ? Posix.readlink(child) : null;
          long[] born = st.isDirectory() ? Statx.birthTime(child).orElse(null) : null;
          nodes.put(path, new Node(st, target, born));
        }
      }
    }
    return nodes;
  }

  /**
   * One path's lstat as recorded, with a directory's birth time ({@code {seconds, nanoseconds}},
   * null where unknown); equal when nothing about the path changed.
   */
  private record Node(FileStat stat, String linkTarget, long[] born) {
    boolean isDirectory() {
      return stat.isDirectory();
    }

    boolean sameInode(Node other) {
      return stat.dev() == other.stat.dev()
          && stat.ino() == other.stat.ino()
          && stat.type() == other.stat.type()
          && (born == null || other.born == null || Arrays.equals(born, other.born));
    }

    // An array component compares by identity in a record's own equals: compare its contents.
    @Override
    public boolean equals(Object o) {
      return o instanceof Node n
          && stat.equals(n.stat)
          && Objects.equals(linkTarget, n.linkTarget)
          && Arrays.equals(born, n.born);
    }

    @Override
    public int hashCode() {
      return Objects.hash(stat, linkTarget, Arrays.hashCode(born));
    }

    Instant mtime() {
      return Instant.ofEpochSecond(stat.mtimeSeconds(), stat.mtimeNanos());
    }
  }
}
