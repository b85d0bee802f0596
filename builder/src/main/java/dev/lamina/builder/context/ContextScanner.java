package dev.lamina.builder.context;

import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.tar.DirectoryScanner;
import dev.lamina.layerfs.tar.LayerEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveTask;
import java.util.function.Predicate;

/**
 * Turns a directory of the build context into layer entries: sorted by {@link
 * LayerEntry#PATH_ORDER}, owned by root, with full modes, symlink targets, device numbers and
 * hardlinks among the files found, and with the extended attributes a layer keeps (as BuildKit's
 * context transfer keeps them). Symlinks are not followed and sockets are skipped. Regular files
 * become {@link ContextFile}s, whose digests come from the memo or from the layer write.
 *
 * <p>Each file costs one {@code lstat} and one {@code llistxattr}: the scan is the whole work of a
 * cached COPY, so it reads nothing it does not keep.
 */
public final class ContextScanner {
  private static final int PARALLELISM =
      Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));

  private ContextScanner() {}

  /**
   * The entries under {@code dir} (itself excluded) whose path relative to it {@code include}
   * accepts; a directory left out is still searched. {@code prefix} is {@code dir}'s path relative
   * to the context ({@code ""} or ending in {@code /}), the memo's key prefix.
   *
   * @throws IOException if a directory cannot be listed or a file stat'ed
   */
  public static List<LayerEntry> scan(
      Path dir, String prefix, Predicate<String> include, FileDigests memo) throws IOException {
    List<Found> found;
    ForkJoinPool pool = new ForkJoinPool(PARALLELISM);
    try {
      found = pool.invoke(new Walk(dir, "", include));
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } finally {
      pool.shutdown();
    }
    found.sort((a, b) -> LayerEntry.PATH_ORDER.compare(a.path, b.path));
    Map<Long, String> firstLink = new HashMap<>();
    List<LayerEntry> entries = new ArrayList<>(found.size());
    for (Found f : found) {
      FileStamp st = f.stamp;
      if (!st.isDirectory() && st.nlink() > 1) {
        // One device per context directory: the inode alone names the file.
        String first = firstLink.putIfAbsent(st.inode(), f.path);
        if (first != null) {
          entries.add(LayerEntry.hardlink(f.path, first).withMode(st.permissions())
              .withMtime(st.mtime()));
          continue;
        }
      }
      entries.add(entry(f, prefix, memo));
    }
    return entries;
  }

  /**
   * The entry of one context file at {@code host}, named {@code name}, known to the memo as
   * {@code key}.
   *
   * @throws IOException if it cannot be stat'ed, or its type cannot be in a layer
   */
  public static LayerEntry entry(Path host, String name, String key, FileDigests memo)
      throws IOException {
    return entry(new Found(name, host, FileStamp.of(host)), key.substring(0,
        key.length() - name.length()), memo);
  }

  private static LayerEntry entry(Found f, String prefix, FileDigests memo) throws IOException {
    FileStamp st = f.stamp;
    LayerEntry e;
    switch (st.type()) {
      case FileStamp.S_IFDIR -> e = LayerEntry.directory(f.path);
      case FileStamp.S_IFREG -> e = LayerEntry.regular(f.path, st.size(),
          new ContextFile(f.file, prefix + f.path, st, memo));
      case FileStamp.S_IFLNK -> e = LayerEntry.symlink(f.path,
          Posix.readlink(f.file));
      case FileStamp.S_IFCHR -> e = LayerEntry.charDevice(f.path, st.rdevMajor(), st.rdevMinor());
      case FileStamp.S_IFBLK -> e = LayerEntry.blockDevice(f.path, st.rdevMajor(),
          st.rdevMinor());
      case FileStamp.S_IFIFO -> e = LayerEntry.fifo(f.path);
      default -> throw new IOException("unsupported file type "
          + Integer.toOctalString(st.type()) + ": " + f.file);
    }
    e = e.withMode(st.permissions()).withMtime(st.mtime());
    Map<String, byte[]> xattrs = DirectoryScanner.xattrs(f.file);
    return xattrs.isEmpty() ? e : e.withXattrs(xattrs);
  }

  private record Found(String path, Path file, FileStamp stamp) {}

  /**
   * Lists and stats one directory, its subdirectories forked as tasks of their own: the scan of a
   * large context is mostly waiting on {@code lstat}, which several threads do at once.
   */
  private static final class Walk extends RecursiveTask<List<Found>> {
    private final Path root;
    private final String rel;
    private final Predicate<String> include;

    Walk(Path root, String rel, Predicate<String> include) {
      this.root = root;
      this.rel = rel;
      this.include = include;
    }

    @Override
    protected List<Found> compute() {
      List<Found> found = new ArrayList<>();
      List<Walk> below = new ArrayList<>();
      Path at = rel.isEmpty() ? root : FileNames.resolve(root, rel);
      try (DirectoryStream<Path> children = Files.newDirectoryStream(at)) {
        for (Path child : children) {
          String name = FileNames.name(child.getFileName());
          String path = rel.isEmpty() ? name : rel + "/" + name;
          FileStamp st = FileStamp.of(child);
          if (st.type() == FileStamp.S_IFSOCK) {
            continue;
          }
          if (st.isDirectory()) {
            Walk w = new Walk(root, path, include);
            w.fork();
            below.add(w);
          }
          if (include.test(path)) {
            found.add(new Found(path, child, st));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      for (Walk w : below) {
        found.addAll(w.join());
      }
      return found;
    }
  }
}
