package dev.lamina.builder.context;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.tar.EntryType;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.ReadAhead;
import dev.lamina.layerfs.tar.TreeWalk;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.SortedMap;
import java.util.function.Predicate;

/**
 * Turns a directory of the build context into layer entries: in {@link LayerEntry#PATH_ORDER},
 * owned by root, with full modes, symlink targets, device numbers and hardlinks among the files
 * found, and with the extended attributes a layer keeps (as BuildKit's context transfer keeps
 * them). Symlinks are not followed and sockets are skipped. Regular files become {@link
 * ContextFile}s, whose digests come from the memo or from the layer write.
 *
 * <p>The entries are found one directory at a time as they are read ({@link TreeWalk}), so a
 * context of any size is never held whole. Each file costs one {@code statx} and, unless the
 * memo knows it unchanged and without xattrs ({@link FileDigests#recall}), one {@code
 * listxattrat}, both by name in its open directory; files are opened there too, when read ahead
 * or written ({@link dev.lamina.layerfs.tar.WalkedFile}): the walk is the whole work of a cached
 * COPY, so it reads nothing it does not keep.
 */
public final class ContextScanner {
  private ContextScanner() {}

  /**
   * The entries under {@code dir} (itself excluded) whose path relative to it {@code include}
   * accepts; a directory left out is still searched. {@code prefix} is {@code dir}'s path relative
   * to the context ({@code ""} or ending in {@code /}), the memo's key prefix. Each iteration
   * walks the directory afresh, reads ahead the small files a layer write reads ({@link
   * ReadAhead}; only those whose digests are not known for a walk {@link Walk#describing} them),
   * and remembers the digests it learns in walk order ({@link FileDigests#inWalkOrder}).
   */
  public static Walk walk(
      Path dir, String prefix, Predicate<String> include, FileDigests memo) {
    TreeWalk walk = new TreeWalk(dir, include, memo.recall(prefix),
        (path, file, st, xattrs, hardlinkTo, recalled, where) -> hardlinkTo != null
            ? LayerEntry.hardlink(path, hardlinkTo).withMode(st.permissions())
                .withMtime(st.mtime())
            : entry(path, file, st, xattrs, prefix.concat(path), memo, (String) recalled, where));
    return new Walk(ReadAhead.of(walk), memo);
  }

  /**
   * A walk of context files read ahead ({@link ReadAhead.Walk}), for a layer write or for
   * describing its entries only, that remembers in walk order the digests it learns.
   */
  public static final class Walk implements Iterable<LayerEntry> {
    private final ReadAhead.Walk walk;
    private final FileDigests memo;

    private Walk(ReadAhead.Walk walk, FileDigests memo) {
      this.walk = walk;
      this.memo = memo;
    }

    @Override
    public Iterator<LayerEntry> iterator() {
      return memo.inWalkOrder(walk).iterator();
    }

    /** The same walk, for describing its entries only ({@link ReadAhead.Walk#describing}). */
    public Iterable<LayerEntry> describing() {
      return memo.inWalkOrder(walk.describing());
    }
  }

  private static LayerEntry entry(String path, Path file, FileStat st,
      SortedMap<String, byte[]> xattrs, String key, FileDigests memo, String recalledHex,
      TreeWalk.Where where) throws IOException {
    EntryType type;
    long size = 0;
    String target = "";
    ContextFile content = null;
    if (st.isDirectory()) {
      type = EntryType.DIRECTORY;
    } else if (st.isRegularFile()) {
      type = EntryType.REGULAR;
      size = st.size();
      content = new ContextFile(file, key, FileStamp.of(st), memo, recalledHex, xattrs.isEmpty(),
          where, true);
    } else if (st.isSymlink()) {
      type = EntryType.SYMLINK;
      target = Posix.readlink(file);
    } else if (st.isCharDevice()) {
      type = EntryType.CHAR_DEVICE;
    } else if (st.isBlockDevice()) {
      type = EntryType.BLOCK_DEVICE;
    } else if (st.isFifo()) {
      type = EntryType.FIFO;
    } else {
      throw new IOException("unsupported file type " + Integer.toOctalString(st.type()) + ": "
          + file);
    }
    boolean device = type.isDevice();
    // One record made once: the walk makes one of these for every file of the context.
    return new LayerEntry(path, type, st.permissions(), 0, 0, size, target,
        device ? st.rdevMajor() : 0, device ? st.rdevMinor() : 0, xattrs,
        st.mtime(), content);
  }
}
