package dev.lamina.builder.copy;

import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.tar.DirectoryScanner;
import dev.lamina.layerfs.tar.EntryType;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.LayerFormatException;
import dev.lamina.layerfs.tar.LayerPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Places collected sources at a destination inside a root filesystem, producing the entries of
 * the COPY/ADD layer with BuildKit's rules:
 *
 * <ul>
 *   <li>the destination is resolved inside the root, its symlinks followed (never out of it);
 *   <li>a directory source copies its contents; a file goes into the destination when that ends
 *       with {@code /}, is an existing directory, or several sources are copied, else it becomes
 *       the destination;
 *   <li>missing parent directories are created 0755, owned by the {@code --chown} owner (root
 *       otherwise), with the time they are made; a destination directory that did not exist
 *       takes its source directory's mode and time; existing directories on the way are written
 *       as they are;
 *   <li>what is copied keeps its source's modification time, as BuildKit (fsutil) copies it; an
 *       existing destination directory keeps its mode and owner but takes its source
 *       directory's time, as fsutil restores it after copying into it;
 *   <li>{@code --chmod} changes what is copied, never the parents; symlinks keep 0777;
 *   <li>a directory of the source that lands on an existing non-directory is refused, and so is
 *       a non-directory that lands on an existing directory (fsutil's copy);
 *   <li>a local archive that ADD unpacks follows Docker's unpack rules instead: its entries
 *       replace what is in their way, a directory only merging into a directory, and keep their
 *       modes whatever {@code --chmod} says;
 *   <li>wildcards that match nothing add nothing, not even the destination (except with {@code
 *       --parents}, whose copy of the context's root makes it).
 * </ul>
 */
public final class Placement {

  /** A numeric owner for {@code --chown}. */
  public record Owner(long uid, long gid) {}

  /**
   * How to place.
   *
   * @param created the time of directories the placement creates itself
   */
  public record Options(Owner chown, Chmod chmod, Path scratchDir, Instant created) {
    public Options {
      Objects.requireNonNull(created, "created");
    }
  }

  private final RootView root;
  private final Options options;
  private final TreeMap<String, LayerEntry> entries = new TreeMap<>(LayerEntry.PATH_ORDER);
  /** Whether a directory source's contents are left to stream (when it is the only source). */
  private boolean streaming;
  /** The contents that stream, placed under {@link #splicedBase}; null when none do. */
  private Iterable<LayerEntry> spliced;
  private String splicedBase;

  private Placement(RootView root, Options options) {
    this.root = root;
    this.options = options;
  }

  /**
   * The layer entries of copying {@code sources} to {@code dest} (absolute, cleaned, a trailing
   * {@code /} kept) in {@code root}, in {@link LayerEntry#PATH_ORDER}. When a directory is the
   * only source, its contents are placed as they are iterated, one at a time, never held: the
   * iteration then throws {@link java.io.UncheckedIOException} with what {@link
   * dev.lamina.layerfs.tar.LayerWriter#writeSorted} reports.
   *
   * @throws CopySourceException when a directory would replace a non-directory, or a file a
   *     directory
   * @throws IOException when the root or an archive cannot be read
   */
  public static Iterable<LayerEntry> place(
      SourceSet sources, String dest, RootView root, Options options) throws IOException {
    Placement p = new Placement(root, options);
    p.streaming = sources.items().size() == 1;
    p.placeAll(sources, dest);
    List<LayerEntry> placed = new ArrayList<>(p.entries.values());
    if (p.spliced == null) {
      return placed;
    }
    String base = p.splicedBase;
    Iterable<LayerEntry> contents = p.spliced;
    return () -> new Merged(placed.iterator(), new Iterator<>() {
      private final Iterator<LayerEntry> in = contents.iterator();

      @Override
      public boolean hasNext() {
        return in.hasNext();
      }

      @Override
      public LayerEntry next() {
        try {
          return p.placedContent(base, in.next());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    });
  }

  /**
   * Two sorted sequences as one; where both hold a path, the second's entry (placed later)
   * replaces the first's. The second is asked for an entry only once its last one was handed on.
   */
  private static final class Merged implements Iterator<LayerEntry> {
    private final Iterator<LayerEntry> first;
    private final Iterator<LayerEntry> second;
    private LayerEntry a;
    private LayerEntry b;

    Merged(Iterator<LayerEntry> first, Iterator<LayerEntry> second) {
      this.first = first;
      this.second = second;
    }

    @Override
    public boolean hasNext() {
      if (a == null && first.hasNext()) {
        a = first.next();
      }
      if (b == null && second.hasNext()) {
        b = second.next();
      }
      return a != null || b != null;
    }

    @Override
    public LayerEntry next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      int c = a == null ? 1 : b == null ? -1 : LayerEntry.PATH_ORDER.compare(a.path(), b.path());
      LayerEntry out;
      if (c < 0) {
        out = a;
        a = null;
      } else {
        out = b;
        b = null;
        if (c == 0) {
          a = null;
        }
      }
      return out;
    }
  }

  /**
   * The layer entries that create directory {@code dir} (absolute) and its missing parents in
   * {@code root}, the new ones owned by {@code owner} (root when null) and made at {@code
   * created}, existing ones as they are.
   *
   * @throws CopySourceException if a component exists and is not a directory
   * @throws IOException if the root cannot be read
   */
  public static List<LayerEntry> directories(
      String dir, RootView root, Owner owner, Instant created) throws IOException {
    Placement p = new Placement(root, new Options(owner, null, null, created));
    p.createParents(root.resolve(dir));
    return new ArrayList<>(p.entries.values());
  }

  private void placeAll(SourceSet sources, String dest) throws IOException {
    boolean dirHint = dest.endsWith("/") || sources.sourceCount() > 1;
    String target = root.resolve(Paths.clean(dest));
    int archiveIndex = 0;
    for (SourceSet.Item item : sources.items()) {
      if (item.parentsPath() != null) {
        String at = Paths.join(target, item.parentsPath());
        createParents(Paths.parent(at));
        if (item.isDirectory()) {
          placeDirectory(item.top(), item.contents(), at);
        } else {
          placeFile(item.top(), at);
        }
        continue;
      }
      if (item.archive()) {
        Path into = options.scratchDir().resolve("archive-" + archiveIndex++);
        Files.createDirectories(into);
        Set<String> named;
        try {
          named = Archives.unpack(item.host(), into);
        } catch (LayerFormatException e) {
          throw new CopySourceException("cannot unpack " + item.relPath() + ": " + e.getMessage());
        }
        // The archive's own "./" entry, if it names one, set the directory's time; else its
        // unpacking did.
        placeArchive(DirectoryScanner.scan(into), named, target, Posix.lstat(into).mtime());
      } else if (item.isDirectory()) {
        placeDirectory(item.top(), item.contents(), target);
      } else {
        boolean intoDir = dirHint || isDirectory(target);
        String at = intoDir ? Paths.join(target, item.name()) : target;
        createParents(Paths.parent(at));
        placeFile(item.top(), at);
      }
    }
    if (dirHint && sources.items().isEmpty() && sources.parents()) {
      createParents(target);
    }
  }

  private void placeFile(LayerEntry top, String at) throws IOException {
    if (at.equals("/")) {
      throw new CopySourceException("cannot copy a file to the root directory itself");
    }
    refuseDirectory(at);
    put(copied(top, Paths.layerPath(at), true));
  }

  /** fsutil's copy never replaces a directory, existing or made by this step, with a file. */
  private void refuseDirectory(String at) throws IOException {
    if (isDirectory(at)) {
      throw new CopySourceException("cannot replace to directory " + at + " with file");
    }
  }

  private void placeDirectory(LayerEntry top, Iterable<LayerEntry> contents, String at)
      throws IOException {
    String base = placeTop(top, at, true);
    if (streaming) {
      spliced = contents;
      splicedBase = base;
      return;
    }
    for (LayerEntry e : contents) {
      put(placedContent(base, e));
    }
  }

  /** Entry {@code e} of a directory source, placed under {@code base}. */
  private LayerEntry placedContent(String base, LayerEntry e) throws IOException {
    String path = LayerPaths.join(base, e.path());
    if (e.type() == EntryType.DIRECTORY) {
      if (!entries.containsKey(path)) {
        Optional<FileStat> existing = root.lstat("/" + path);
        if (existing.isPresent() && !existing.get().isDirectory()) {
          throw new CopySourceException("cannot copy to non-directory: /" + path);
        }
      }
    } else {
      refuseDirectory("/".concat(path));
    }
    LayerEntry placed = copied(e, path, true);
    if (e.type() == EntryType.HARDLINK) {
      placed = placed.withLinkTarget(base.isEmpty() ? e.linkTarget()
          : base + "/" + e.linkTarget());
    }
    return placed;
  }

  /**
   * The directory {@code at} that receives a directory's contents, made from {@code top} when it
   * does not exist yet, kept as it is when it does; its layer path.
   */
  private String placeTop(LayerEntry top, String at, boolean chmod) throws IOException {
    createParents(Paths.parent(at));
    String base = Paths.layerPath(at);
    if (!base.isEmpty() && !entries.containsKey(base)) { // else made by an earlier source: kept
      Optional<FileStat> existing = root.lstat(at);
      if (existing.isEmpty()) {
        put(copied(top, base, chmod)); // a new directory takes its source's mode
      } else if (existing.get().isDirectory()) {
        put(existingEntry(at, base, existing.get()).withMtime(top.mtime()));
      } else {
        throw new CopySourceException("cannot copy to non-directory: " + at);
      }
    }
    return base;
  }

  /**
   * Places an unpacked archive under {@code at} as Docker's unpack writes it onto the
   * destination: the parents of each entry are followed as they are there (symlinks too, inside
   * the root); what the archive names replaces whatever is in its way, a directory merging into a
   * directory and taking the archive's metadata; a directory it only implies is made 0755 and
   * root's where nothing is, and left as it is where a directory is. Modes are the archive's
   * ({@code --chmod} does not apply); {@code --chown} owns what the archive names.
   *
   * @param unpacked the unpacked tree, parents before children
   * @param named the paths the archive names (the others are implied directories)
   * @param time the time of the unpacked archive's root directory
   */
  private void placeArchive(List<LayerEntry> unpacked, Set<String> named, String at,
      Instant time) throws IOException {
    placeTop(owner(LayerEntry.directory("archive").withMode(0755).withMtime(time), 0, 0), at,
        false);
    // Where each directory of the archive is in the root, and each placed path's layer path.
    Map<String, String> dirs = new HashMap<>();
    dirs.put("", at);
    Map<String, String> placed = new HashMap<>();
    for (LayerEntry e : unpacked) {
      String rel = e.path();
      int slash = rel.lastIndexOf('/');
      String parentRel = slash < 0 ? "" : rel.substring(0, slash);
      String parent = dirs.getOrDefault(parentRel, Paths.join(at, parentRel));
      String dest = Paths.join(parent, rel.substring(slash + 1));
      if (e.type() == EntryType.DIRECTORY && !named.contains(rel)) {
        String existing = existingDirectory(dest);
        if (existing != null) {
          createParents(existing); // in the layer as it is, with its parents
          dirs.put(rel, existing);
          continue;
        }
        put(LayerEntry.directory(Paths.layerPath(dest)).withMode(0755)
            .withMtime(options.created()));
        dirs.put(rel, dest);
        continue;
      }
      LayerEntry out = copied(e, Paths.layerPath(dest), false);
      if (e.type() == EntryType.HARDLINK) {
        out = out.withLinkTarget(placed.getOrDefault(e.linkTarget(),
            Paths.layerPath(Paths.join(at, e.linkTarget()))));
      }
      put(out);
      placed.put(rel, Paths.layerPath(dest));
      if (e.type() == EntryType.DIRECTORY) {
        dirs.put(rel, dest);
      }
    }
  }

  /** Where the directory at {@code path} is, a final symlink followed in the root; else null. */
  private String existingDirectory(String path) throws IOException {
    if (isDirectory(path)) {
      return path;
    }
    Optional<FileStat> st = entries.containsKey(Paths.layerPath(path))
        ? Optional.empty() : root.lstat(path);
    if (st.isPresent() && st.get().isSymlink()) {
      String target = root.resolve(path);
      if (isDirectory(target)) {
        return target;
      }
    }
    return null;
  }

  /** Makes sure every directory from the root down to {@code dir} is in the layer. */
  private void createParents(String dir) throws IOException {
    if (dir.equals("/")) {
      return;
    }
    String path = Paths.layerPath(dir);
    if (entries.containsKey(path)) {
      return;
    }
    createParents(Paths.parent(dir));
    Optional<FileStat> existing = root.lstat(dir);
    if (existing.isPresent()) {
      if (!existing.get().isDirectory()) {
        throw new CopySourceException("cannot copy into " + dir + ": not a directory");
      }
      put(existingEntry(dir, path, existing.get()));
    } else {
      LayerEntry created = LayerEntry.directory(path).withMtime(options.created());
      if (options.chown() != null) {
        created = created.withOwner(options.chown().uid(), options.chown().gid());
      }
      put(created);
    }
  }

  /**
   * An existing directory as it is (mode, owner, time, xattrs), so the layer does not change it.
   */
  private LayerEntry existingEntry(String dir, String path, FileStat st) throws IOException {
    LayerEntry e =
        LayerEntry.directory(path)
            .withMode(st.permissions())
            .withMtime(st.mtime())
            .withOwner(Integer.toUnsignedLong(st.uid()), Integer.toUnsignedLong(st.gid()));
    Path host = root.host(dir);
    return host == null ? e : e.withXattrs(DirectoryScanner.xattrs(host));
  }

  /**
   * A source entry at its new path, with --chown applied, and --chmod unless {@code chmod} is
   * false (an unpacked archive keeps its modes: BuildKit's unpack takes no mode).
   */
  private LayerEntry copied(LayerEntry e, String path, boolean chmod) {
    LayerEntry out = e.withPath(path);
    if (options.chown() != null) {
      out = out.withOwner(options.chown().uid(), options.chown().gid());
    }
    if (chmod && options.chmod() != null && e.type() != EntryType.SYMLINK) {
      out = out.withMode(options.chmod().apply(e.mode(), e.type() == EntryType.DIRECTORY));
    }
    return out;
  }

  private LayerEntry owner(LayerEntry e, long uid, long gid) {
    return options.chown() != null
        ? e.withOwner(options.chown().uid(), options.chown().gid())
        : e.withOwner(uid, gid);
  }

  private boolean isDirectory(String path) throws IOException {
    LayerEntry planned = entries.get(Paths.layerPath(path));
    if (planned != null) {
      return planned.type() == EntryType.DIRECTORY;
    }
    if (path.equals("/")) {
      return true;
    }
    return root.lstat(path).map(FileStat::isDirectory).orElse(false);
  }

  private void put(LayerEntry e) {
    entries.put(e.path(), e);
  }
}
