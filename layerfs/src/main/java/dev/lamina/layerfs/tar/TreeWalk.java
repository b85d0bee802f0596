package dev.lamina.layerfs.tar;

import dev.lamina.layerfs.concurrent.Futures;
import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.OpenDirectory;
import dev.lamina.layerfs.posix.Posix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.SortedMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;

/**
 * A directory tree as layer entries in {@link LayerEntry#PATH_ORDER}, found one directory at a
 * time: each directory is listed and its children stat'ed and sorted when the walk reaches it,
 * and the walk goes into a subdirectory where its name comes. Only the directories on the way
 * down are held (their remaining children), never the whole tree, so a tree of a million files
 * streams through in the memory of its largest directory. Each iteration walks the tree afresh.
 *
 * <p>Each directory is held open while the walk is in it ({@link OpenDirectory}), and each file
 * is found by its name there: listed with the directory, it costs one {@code statx} and one
 * {@code listxattrat} (none for a file its {@link Recall} remembers), made on the listing threads.
 * A subdirectory is opened from its parent without following a symlink, so one swapped for a
 * symlink during the walk fails the walk instead of leading out of the tree. Symlinks are never
 * followed and
 * sockets are skipped (a layer cannot hold them). A file with several links is described as a
 * hardlink to the first of its paths the walk included, which is an earlier entry. Only files with
 * more than one link are remembered for that.
 *
 * <p>The iterator throws {@link UncheckedIOException} when a directory cannot be listed or a file
 * stat'ed or described; {@link LayerWriter#writeSorted} reports its cause.
 */
public final class TreeWalk implements Iterable<LayerEntry> {

  /** Makes the entry of one file the walk found. */
  @FunctionalInterface
  public interface Describer {
    /**
     * The entry of the file at {@code file}, at layer path {@code path}.
     *
     * @param xattrs the extended attributes a layer keeps ({@link DirectoryScanner#xattrs})
     * @param hardlinkTo the path of an earlier entry of the same inode, or null
     * @param recalled what the walk's {@link Recall} remembered of the file, or null
     * @param where the file's directory, open, and its name there: valid during the call only,
     *     unless {@link OpenDirectory#retain retained}
     * @throws IOException if the file cannot be read or cannot be in a layer
     */
    LayerEntry describe(String path, Path file, FileStat stat, SortedMap<String, byte[]> xattrs,
        String hardlinkTo, Object recalled, Where where) throws IOException;
  }

  /**
   * Where a file the walk found is: its directory, open, and its name there as bytes with a NUL,
   * so that it can be read without its path looked up again ({@link OpenDirectory#read}).
   */
  public record Where(OpenDirectory dir, byte[] cName) {
  }

  /**
   * What the caller remembers of the files of a directory, asked on the listing threads once the
   * directory is listed and stat'ed, before any extended attribute is read. A file remembered is
   * one the caller knows to have no extended attributes as it is now stat'ed (its change time
   * moves with every change of them, see {@link dev.lamina.layerfs.posix.FileStat}): none are
   * read, which spares a cached build of a large context one {@code llistxattr} a file.
   */
  @FunctionalInterface
  public interface Recall {
    /**
     * For each child of the directory at layer path {@code dir} ({@code ""} for the root), given
     * in walk order by name and stat: what is remembered of it, handed to the {@link Describer},
     * or null where nothing is (its xattrs are read).
     */
    Object[] recall(String dir, String[] names, FileStat[] stats);
  }

  private final Path root;
  private final Predicate<String> include;
  private final Recall recall;
  private final Describer describer;
  /** Whether overlay whiteouts are left out, as a mount's lookups leave them out. */
  private final boolean hideWhiteouts;
  /**
   * For a walk of one layer's directory, the on-disk form of its whiteouts (that of the mount
   * that reads it); null for a walk through a mount, or of anything else.
   */
  private final WhiteoutFormat.Overlay layerFormat;

  /**
   * The walk of the tree under {@code root} (itself excluded), of the paths {@code include}
   * accepts; a directory left out is still searched.
   */
  public TreeWalk(Path root, Predicate<String> include, Describer describer) {
    this(root, include, null, describer);
  }

  /** As {@link #TreeWalk(Path, Predicate, Describer)}, asking {@code recall} (if not null). */
  public TreeWalk(Path root, Predicate<String> include, Recall recall, Describer describer) {
    this(root, include, recall, describer, false, null);
  }

  private TreeWalk(Path root, Predicate<String> include, Recall recall, Describer describer,
      boolean hideWhiteouts, WhiteoutFormat.Overlay layerFormat) {
    this.root = Objects.requireNonNull(root, "root");
    this.include = Objects.requireNonNull(include, "include");
    this.recall = recall;
    this.describer = Objects.requireNonNull(describer, "describer");
    this.hideWhiteouts = hideWhiteouts;
    this.layerFormat = layerFormat;
  }

  /**
   * This walk, of a directory of an overlayfs mount, leaving out whiteouts as the mount's lookups
   * do: names it lists but cannot find. (A directory that only one layer has is listed as that
   * layer's directory is, whiteouts of either form included, though nothing is found under their
   * names.) No attribute counts here: the mount shows a layer's own escaped {@code
   * overlay.whiteout} unescaped, on a file it does show.
   */
  public TreeWalk hidingWhiteouts() {
    return new TreeWalk(root, include, recall, describer, true, null);
  }

  /**
   * This walk, of a directory of one overlay lower layer whose whiteouts are in {@code format}
   * (that of the mount that reads it), leaving out what that mount reads as whiteouts: 0:0
   * character devices, and empty regular files marked with {@code format}'s {@code
   * overlay.whiteout}, which overlayfs (6.7+) reads as whiteouts in a lower layer. The other
   * namespace's attribute means nothing to the mount, and its file is kept, as the mount shows it.
   */
  public TreeWalk hidingWhiteoutsOf(WhiteoutFormat.Overlay format) {
    return new TreeWalk(root, include, recall, describer, true, Objects.requireNonNull(format));
  }

  @Override
  public Iterator<LayerEntry> iterator() {
    return new Walker();
  }

  /** One child of a listed directory. */
  private record Child(String name, byte[] cName, Path file, FileStat stat,
      SortedMap<String, byte[]> xattrs, Object recalled) {}

  /** A directory, open, and its children, listed. */
  private record Listing(OpenDirectory dir, Child[] children) {}

  /**
   * A directory being walked: its path in the layer, the directory itself (open, held until the
   * walk leaves it), the children not visited yet, and the listings of the next few
   * subdirectories, made ahead on other threads.
   */
  private static final class Frame {
    final String path;
    final OpenDirectory dir;
    final Child[] children;
    final ArrayDeque<Future<Listing>> ahead = new ArrayDeque<>();
    int next;
    int nextToList; // the next child not yet considered for listing ahead

    Frame(String path, Listing listing) {
      this.path = path;
      this.dir = listing.dir();
      this.children = listing.children();
    }
  }

  /**
   * How many subdirectories of a directory are listed and stat'ed ahead of the walk: while the
   * caller reads one directory's files (a layer write), the next ones' system calls are made, as
   * the stat calls of a large context are most of a cached build. Two keep both listing threads
   * busy. Four held twice the listings (a thousand files each in a large context) across young
   * collections: with a cold COPY's files read ahead as well, the survivor spaces overflowed,
   * the collector promoted whatever had survived once, and a cold build of a million files
   * peaked at 115 MiB instead of 98.
   */
  private static final int LIST_AHEAD = 2;

  private static final ExecutorService LISTERS = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "tree-walk");
    t.setDaemon(true);
    return t;
  });

  private record Inode(long dev, long ino) {}

  private final class Walker implements Iterator<LayerEntry> {
    private final ArrayDeque<Frame> frames = new ArrayDeque<>();
    private final Map<Inode, String> firstLinks = new HashMap<>();
    private LayerEntry ahead;

    Walker() {
      OpenDirectory dir;
      try {
        dir = OpenDirectory.open(root);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      frames.push(new Frame("", list(dir, "")));
    }

    @Override
    public boolean hasNext() {
      if (ahead == null) {
        ahead = advance();
      }
      return ahead != null;
    }

    @Override
    public LayerEntry next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      LayerEntry e = ahead;
      ahead = null;
      return e;
    }

    private LayerEntry advance() {
      while (!frames.isEmpty()) {
        Frame f = frames.peek();
        if (f.next == f.children.length) {
          frames.pop().dir.close();
          continue;
        }
        listAhead(f);
        Child c = f.children[f.next];
        f.children[f.next++] = null; // visited: let it go
        String path = LayerPaths.join(f.path, c.name());
        FileStat st = c.stat();
        if (st.isDirectory()) {
          frames.push(new Frame(path, listed(f.ahead.poll())));
        }
        if (!include.test(path)) {
          continue;
        }
        String linkTo = null;
        if (!st.isDirectory() && st.nlink() > 1) {
          linkTo = firstLinks.putIfAbsent(new Inode(st.dev(), st.ino()), path);
        }
        try {
          return describer.describe(path, c.file(), st, c.xattrs(), linkTo, c.recalled(),
              new Where(f.dir, c.cName()));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return null;
    }

    /** Starts listing the next subdirectories of {@code f} that are not being listed yet. */
    private void listAhead(Frame f) {
      if (f.nextToList < f.next) {
        f.nextToList = f.next;
      }
      while (f.ahead.size() < LIST_AHEAD && f.nextToList < f.children.length) {
        Child c = f.children[f.nextToList++];
        if (c.stat().isDirectory()) {
          OpenDirectory parent = f.dir;
          String path = f.path.isEmpty() ? c.name() : f.path + "/" + c.name();
          f.ahead.add(LISTERS.submit(() -> {
            // Opened from the directory that listed it, without following a symlink: one
            // swapped in since is refused, never followed out of the tree.
            OpenDirectory dir = parent.openDirectory(c.name(), c.cName());
            try {
              return list(dir, path);
            } catch (RuntimeException e) {
              dir.close();
              throw e;
            }
          }));
        }
      }
    }

    private Listing listed(Future<Listing> listing) {
      try {
        return Futures.await(listing); // a listing reports in an UncheckedIOException
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /**
     * Whether a listed file is a whiteout the walk leaves out ({@link #hidingWhiteouts}, {@link
     * #hidingWhiteoutsOf}). Only empty regular files with attributes are asked for one.
     */
    private boolean isWhiteout(OpenDirectory dir, String name, byte[] cName, FileStat st)
        throws IOException {
      if (Whiteouts.isOverlayWhiteout(st)) {
        return true;
      }
      return layerFormat != null && st.isRegularFile() && st.size() == 0
          && !dir.hasNoXattrs(cName)
          && Posix.lgetxattr(FileNames.resolve(dir.path(), name), layerFormat.whiteoutXattr())
              .isPresent();
    }

    private static boolean belowSurrogates(String name) {
      for (int i = 0; i < name.length(); i++) {
        if (name.charAt(i) >= Character.MIN_SURROGATE) {
          return false;
        }
      }
      return true;
    }

    /**
     * The children of {@code dir}, at layer path {@code path} (sockets left out, and whiteouts
     * where they are hidden), stat'ed, in name order, with the xattrs of those the {@link Recall}
     * does not remember; each by its name relative to {@code dir}.
     */
    private Listing list(OpenDirectory dir, String path) {
      try {
        List<byte[]> names = dir.list();
        List<Child> found = new ArrayList<>(names.size());
        for (byte[] cName : names) {
          String name = FileNames.decode(cName, 0, cName.length - 1);
          FileStat st;
          try {
            st = dir.lstat(name, cName);
          } catch (NoSuchFileException listedNotFound) {
            if (hideWhiteouts) {
              continue; // a whiteout, as a mount lists it: see hidingWhiteouts
            }
            throw listedNotFound;
          }
          if (!st.isSocket() && !(hideWhiteouts && isWhiteout(dir, name, cName, st))) {
            found.add(new Child(name, cName, FileNames.resolve(dir.path(), name), st, null, null));
          }
        }
        Child[] children = found.toArray(new Child[0]);
        boolean plain = true;
        for (Child c : children) {
          plain &= belowSurrogates(c.name());
        }
        // Names hold no '/', and without surrogates String's own order is code point order:
        // measured in a cached build of a million files, the sort by PATH_ORDER (a call per
        // character under C1) was a fifth of the listing threads' time.
        java.util.Arrays.sort(children, plain
            ? (a, b) -> a.name().compareTo(b.name())
            : (a, b) -> LayerEntry.PATH_ORDER.compare(a.name(), b.name()));
        Object[] recalled = null;
        if (recall != null) {
          String[] childNames = new String[children.length];
          FileStat[] stats = new FileStat[children.length];
          for (int i = 0; i < children.length; i++) {
            childNames[i] = children[i].name();
            stats[i] = children[i].stat();
          }
          recalled = recall.recall(path, childNames, stats);
        }
        for (int i = 0; i < children.length; i++) {
          Child c = children[i];
          Object known = recalled == null ? null : recalled[i];
          SortedMap<String, byte[]> xattrs = known != null || dir.hasNoXattrs(c.cName())
              ? java.util.Collections.emptySortedMap()
              : DirectoryScanner.xattrs(c.file());
          children[i] = new Child(c.name(), c.cName(), c.file(), c.stat(),
              xattrs.isEmpty() ? java.util.Collections.emptySortedMap() : xattrs, known);
        }
        return new Listing(dir, children);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
