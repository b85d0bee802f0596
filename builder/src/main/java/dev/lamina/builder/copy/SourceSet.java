package dev.lamina.builder.copy;

import dev.lamina.builder.context.ContextFile;
import dev.lamina.builder.context.ContextFilter;
import dev.lamina.builder.context.ContextScanner;
import dev.lamina.builder.context.FileStamp;
import dev.lamina.builder.context.FileDigests;
import dev.lamina.builder.ignore.IgnoreRules;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestAlgorithm;
import dev.lamina.layerfs.digest.Hasher;
import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.tar.ContentSource;
import dev.lamina.layerfs.tar.DirectoryScanner;
import dev.lamina.layerfs.tar.EntryType;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.ReadAhead;
import dev.lamina.runner.spec.RootFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The files a COPY or ADD reads, found and described before anything is written: each source
 * argument's matches (wildcards expanded, the source path's own symlinks followed inside its
 * tree) and, for directories, everything below them. Its {@link #fingerprint} is what the step's
 * cache key holds for its inputs: names, types, permission bits, sizes, link targets and content
 * digests, plus owners where they travel into the layer. Never a modification time (entries keep
 * their sources' times, but a file touched without a change still hits the cache, as with
 * BuildKit's content keys, and then keeps the cached layer's times) or a host path.
 */
public final class SourceSet {

  /**
   * One matched source.
   *
   * @param name the base name the match is copied under when its destination is a directory
   * @param relPath the match's path relative to its tree, {@code ""} for the tree's root
   * @param parentsPath with {@code --parents}, the path kept under the destination, else null
   * @param top the match itself as an entry (path = {@code name}), metadata from the followed file
   * @param contents for a directory, the entries below it, paths relative to it, in {@link
   *     LayerEntry#PATH_ORDER} (found afresh, as a walk, each time they are iterated); else empty
   * @param archive whether ADD unpacks it (a local tar archive, compressed or not)
   * @param host the followed host file or directory; for a directory that one layer of a
   *     mounted tree alone holds, that layer's directory ({@link SourceTree#mounted})
   */
  public record Item(
      String name,
      String relPath,
      String parentsPath,
      LayerEntry top,
      Iterable<LayerEntry> contents,
      boolean archive,
      Path host) {
    public Item {
      if (contents instanceof List<LayerEntry> list) {
        contents = List.copyOf(list);
      }
    }

    public boolean isDirectory() {
      return top.type() == EntryType.DIRECTORY;
    }
  }

  /**
   * What to collect.
   *
   * @param created the time of inline files (they have no source file to take it from)
   */
  public record Options(
      List<String> excludes, boolean parents, boolean unpack, FileDigests digests,
      Instant created) {
    public Options {
      excludes = List.copyOf(excludes);
      java.util.Objects.requireNonNull(created, "created");
    }
  }

  /**
   * The context files one matched source copies, as its digest memo knows them: the keys from
   * {@code prefix} on (the match itself for a file, whose key is {@code prefix}) that {@code
   * include} accepts (what follows the prefix), found under {@code host}.
   */
  private record ContextFiles(String prefix, boolean directory, Path host,
      Predicate<String> include) {
    /** The path of the file known as {@code key} if this source copies it, else null. */
    Path fileOf(String key) {
      if (!directory) {
        return key.equals(prefix) ? host : null;
      }
      if (!key.startsWith(prefix) || key.length() == prefix.length()) {
        return null;
      }
      String below = key.substring(prefix.length());
      return include.test(below) ? FileNames.resolve(host, below) : null;
    }
  }

  private final SourceTree tree;
  private final List<Item> items;
  private final Map<String, byte[]> inline;
  private final int sourceCount;
  private final boolean parents;
  private final FileDigests digests;
  private final List<ContextFiles> contextFiles;

  private SourceSet(SourceTree tree, List<Item> items, Map<String, byte[]> inline,
      int sourceCount, boolean parents, FileDigests digests, List<ContextFiles> contextFiles) {
    this.tree = tree;
    this.items = List.copyOf(items);
    this.inline = inline;
    this.sourceCount = sourceCount;
    this.parents = parents;
    this.digests = digests;
    this.contextFiles = List.copyOf(contextFiles);
  }

  public List<Item> items() {
    return items;
  }

  /** Whether the sources keep their parent directories ({@code --parents}). */
  public boolean parents() {
    return parents;
  }

  /** How many source arguments (and inline files) there were. */
  public int sourceCount() {
    return sourceCount;
  }

  /**
   * Whether a context file these sources copy has other bytes than when a recent build hashed it,
   * and changed after {@code since} (when the step last ran; {@link FileDigests#changedAgain}: a
   * file being edited, changed again): then the step's cache key has most likely changed, and a
   * walk that looks it up would most likely end in a miss. It tells where to look first, nothing
   * more: false when not known (no memo, not the context).
   */
  public boolean changedAgain(Instant since) {
    if (digests == null || contextFiles.isEmpty()) {
      return false;
    }
    return digests.changedAgain(key -> {
      for (ContextFiles c : contextFiles) {
        Path file = c.fileOf(key);
        if (file != null) {
          return file;
        }
      }
      return null;
    }, since);
  }

  /**
   * A digest of everything that decides the layer, for the cache key. Context files whose digests
   * are not known yet are read now. A directory's contents are described as its latest complete
   * walk found them: after a layer write walked them, the fingerprint is that of what the layer
   * holds, even if the tree changed since an earlier fingerprint (a file added between the cache
   * lookup's walk and the write's walk is in the key recorded for the layer).
   *
   * @throws IOException if a file cannot be read
   */
  public synchronized Digest fingerprint() throws IOException {
    return fingerprint(null);
  }

  /**
   * As {@link #fingerprint}, but a walk that describes a directory stops at the first context
   * file that changed after {@code since} (when the step last ran) and holds other bytes than the
   * digest memo last knew of it, or that the memo does not know ({@link
   * ContextFile#changedSinceRemembered}): then null. The key has then most likely changed, and the
   * rest of that walk would only find so; a layer write's walk describes them all.
   *
   * @throws IOException if a file cannot be read
   */
  public synchronized Digest fingerprintUnlessChanged(Instant since) throws IOException {
    return fingerprint(java.util.Objects.requireNonNull(since, "since"));
  }

  private Digest fingerprint(Instant stopAtChangeSince) throws IOException {
    StringBuilder text = new StringBuilder();
    for (Item item : items) {
      if (item.host() == null) {
        continue; // an inline file, described below
      }
      quoted(text.append("match "), item.relPath());
      if (item.parentsPath() != null) {
        quoted(text.append(' '), item.parentsPath());
      }
      text.append(item.archive() ? " archive" : "").append('\n');
      describe(text.append("top "), item.top(), tree, item.host(), null);
      if (item.contents() instanceof Contents c) {
        Digest d = c.digest(stopAtChangeSince);
        if (d == null) {
          return null;
        }
        text.append("contents ").append(d).append('\n');
      } else {
        for (LayerEntry e : item.contents()) {
          describe(text.append("entry "), e, tree, item.host(), e.path());
        }
      }
    }
    for (Map.Entry<String, byte[]> f : inline.entrySet()) {
      quoted(text.append("inline "), f.getKey()).append(' ')
          .append(Digest.sha256(f.getValue())).append('\n');
    }
    return Digest.sha256(text.toString());
  }

  /**
   * The entries below a directory source, walked afresh each time they are iterated, that
   * describe themselves for the cache key while they are iterated: a layer write that reads them
   * also leaves their digest behind, so the key of a step written before its key was known costs
   * no second walk. An entry is described when the next one is asked for (or the end), so a
   * context file read by the writer meanwhile has its content digest known by then.
   */
  private static final class Contents implements Iterable<LayerEntry> {
    private final Iterable<LayerEntry> walk;
    private final SourceTree tree;
    private final Path host;
    private Digest digest;

    Contents(Iterable<LayerEntry> walk, SourceTree tree, Path host) {
      this.walk = walk;
      this.tree = tree;
      this.host = host;
    }

    /**
     * The digest of every entry's description as the latest complete walk found them; walks (and
     * reads files) if none has yet. With {@code stopAtChangeSince}, such a walk stops at the first
     * context file changed since then ({@link ContextFile#changedSinceRemembered}), and gives
     * null.
     */
    synchronized Digest digest(Instant stopAtChangeSince) throws IOException {
      if (digest == null) {
        // A walk that only describes: the files a memo knows are not read.
        Iterable<LayerEntry> described = walk instanceof ContextScanner.Walk c ? c.describing()
            : walk instanceof ReadAhead.Walk w ? w.describing() : walk;
        Iterator<LayerEntry> entries = describing(described.iterator(), stopAtChangeSince);
        try {
          while (entries.hasNext()) {
            entries.next(); // described as it goes
          }
        } catch (java.io.UncheckedIOException e) {
          throw e.getCause();
        }
      }
      return digest;
    }

    @Override
    public Iterator<LayerEntry> iterator() {
      return describing(walk.iterator(), null);
    }

    /**
     * {@code entries}, each described as the reader moves past it, the digest set at the end;
     * with {@code stopAtChangeSince}, ending early, the digest unset, after a file changed since
     * then.
     */
    private Iterator<LayerEntry> describing(Iterator<LayerEntry> entries,
        Instant stopAtChangeSince) {
      Hasher hasher = DigestAlgorithm.SHA256.newHasher();
      StringBuilder text = new StringBuilder(64 * 1024 + 1024);
      return new Iterator<>() {
        private LayerEntry pending;
        private boolean done;
        private boolean stopped;

        @Override
        public boolean hasNext() {
          if (stopAtChangeSince != null) {
            settle(); // a walk that only describes: its reader is done with the entry
          }
          if (!stopped && entries.hasNext()) {
            return true;
          }
          if (!done && !stopped) {
            done = true;
            settle();
            flush();
            Digest d = hasher.digest();
            synchronized (Contents.this) {
              digest = d;
            }
          }
          return false;
        }

        @Override
        public LayerEntry next() {
          settle(); // before the walk lets go of what it held for reading the entry
          if (stopped) {
            throw new java.util.NoSuchElementException();
          }
          LayerEntry e = entries.next();
          pending = e;
          return e;
        }

        /** Describes the entry handed out last: the reader is done with it by now. */
        private void settle() {
          if (pending == null) {
            return;
          }
          try {
            describe(text.append("entry "), pending, tree, host, pending.path());
            stopped = stopAtChangeSince != null && pending.content() instanceof ContextFile f
                && f.changedSinceRemembered(stopAtChangeSince);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          pending = null;
          if (text.length() >= 64 * 1024) {
            flush();
          }
        }

        private void flush() {
          byte[] bytes = FileNames.encode(text.toString()); // raw name bytes kept
          hasher.update(bytes, 0, bytes.length);
          text.setLength(0);
        }
      };
    }
  }

  /**
   * Collects the sources {@code sources} (paths relative to the tree, wildcards allowed) and the
   * inline files {@code inline} (name to content).
   *
   * @throws CopySourceException if a source without wildcards does not exist (or is ignored)
   * @throws IOException if the tree cannot be read
   */
  public static SourceSet collect(
      SourceTree tree, List<String> sources, Map<String, byte[]> inline, Options options)
      throws IOException {
    IgnoreRules excludes =
        options.excludes().isEmpty()
            ? IgnoreRules.none()
            : IgnoreRules.parse(String.join("\n", options.excludes()));
    List<Item> items = new ArrayList<>();
    List<ContextFiles> contextFiles = new ArrayList<>();
    for (String source : sources) {
      String pivot = "";
      String pattern = source;
      if (options.parents()) {
        int cut = source.indexOf("/./");
        if (cut >= 0) {
          pivot = Paths.clean(source.substring(0, cut)).substring(1);
          pattern = source.substring(cut + 3);
        }
      }
      String path = Paths.clean(pivot.isEmpty() ? pattern : pivot + "/" + pattern).substring(1);
      List<String> matches = match(tree, path);
      if (matches.isEmpty() && !Globs.containsWildcards(path)) {
        throw new CopySourceException(describe(tree, path) + ": not found");
      }
      for (String rel : matches) {
        if (!rel.isEmpty() && excludes.matches(rel)) {
          continue;
        }
        String parentsPath = null;
        if (options.parents()) {
          parentsPath = pivot.isEmpty() ? rel : rel.substring(Math.min(rel.length(),
              pivot.length() + 1));
        }
        items.add(item(tree, rel, parentsPath, excludes, options, contextFiles));
      }
    }
    for (Map.Entry<String, byte[]> f : inline.entrySet()) {
      byte[] bytes = f.getValue();
      String name = f.getKey();
      LayerEntry e = LayerEntry.regular(name, bytes.length, ContentSource.ofBytes(bytes))
          .withMtime(options.created());
      items.add(new Item(name, name, null, e, List.of(), false, null));
    }
    return new SourceSet(tree, items, new LinkedHashMap<>(inline),
        sources.size() + inline.size(), options.parents(), options.digests(), contextFiles);
  }

  /**
   * Directories of {@code tree} whose contents are copied, described by the caller: the trees of
   * git checkouts, which their commits identify for the cache rather than {@link #fingerprint}.
   */
  public static SourceSet ofDirectories(SourceTree tree, List<Item> items) {
    return new SourceSet(tree, items, new LinkedHashMap<>(), items.size(), false, null,
        List.of());
  }

  /** Matches of one source path: itself, or what its wildcards match, sorted. */
  static List<String> match(SourceTree tree, String path) throws IOException {
    if (!Globs.containsWildcards(path)) {
      if (!path.isEmpty() && tree.ignored().test(path)) {
        return List.of();
      }
      Path host = RootFiles.resolve(tree.root(), path);
      return Files.exists(host, java.nio.file.LinkOption.NOFOLLOW_LINKS)
          ? List.of(path)
          : List.of();
    }
    String[] parts = path.split("/");
    StringBuilder fixed = new StringBuilder();
    int i = 0;
    while (i < parts.length && !Globs.containsWildcards(parts[i])) {
      fixed.append(fixed.length() == 0 ? "" : "/").append(parts[i]);
      i++;
    }
    String pattern = String.join("/", java.util.Arrays.copyOfRange(parts, i, parts.length));
    String base = fixed.toString();
    Path baseHost = RootFiles.resolve(tree.root(), base);
    List<String> out = new ArrayList<>();
    if (!Files.isDirectory(baseHost)) {
      return out;
    }
    walkMatching(tree, baseHost, base, "", pattern, out);
    return out;
  }

  private static void walkMatching(
      SourceTree tree, Path dir, String base, String rel, String pattern, List<String> out)
      throws IOException {
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      ds.forEach(children::add);
    }
    children.sort((a, b) -> LayerEntry.PATH_ORDER.compare(
        FileNames.name(a.getFileName()), FileNames.name(b.getFileName())));
    for (Path child : children) {
      String name = FileNames.name(child.getFileName());
      String childRel = rel.isEmpty() ? name : rel + "/" + name;
      String treeRel = base.isEmpty() ? childRel : base + "/" + childRel;
      if (tree.ignored().test(treeRel)) {
        continue;
      }
      if (Globs.matches(pattern, childRel)) {
        if (Files.exists(child, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          out.add(treeRel); // else a whiteout, as an overlay mount lists one (never found)
        }
        continue; // a matched directory is copied whole, not searched further
      }
      if (Files.isDirectory(child, java.nio.file.LinkOption.NOFOLLOW_LINKS)
          && childRel.chars().filter(c -> c == '/').count()
              < pattern.chars().filter(c -> c == '/').count()) {
        walkMatching(tree, child, base, childRel, pattern, out);
      }
    }
  }

  /**
   * The matched source {@code rel}; a context file or directory also adds what it copies to
   * {@code contextFiles}.
   */
  private static Item item(SourceTree tree, String rel, String parentsPath, IgnoreRules excludes,
      Options options, List<ContextFiles> contextFiles) throws IOException {
    // The source path's own symlinks are followed (inside the tree), its contents' are not.
    Path host = RootFiles.resolve(tree.root(), rel);
    FileStat st = Posix.lstat(host);
    String name = rel.isEmpty() ? "" : rel.substring(rel.lastIndexOf('/') + 1);
    String entryName = name.isEmpty() ? "root" : name;
    LayerEntry top;
    Iterable<LayerEntry> contents = List.of();
    boolean archive = false;
    if (st.isDirectory()) {
      Optional<Path> layerDir = tree.layerDirectory(host);
      if (layerDir.isPresent()) {
        host = layerDir.get(); // the same directory, without the mount in the way
        st = Posix.lstat(host);
      }
      top = owned(tree, LayerEntry.directory(entryName).withMode(st.permissions())
          .withMtime(st.mtime()), st);
      String prefix = rel.isEmpty() ? "" : rel + "/";
      // Without ignore rules or excludes, no path of a walk is put together a second time only
      // to be found not hidden (a million strings in a cached build of a million files).
      boolean hidesNothing = tree.ignored() instanceof ContextFilter f && f.hidesNothing();
      Predicate<String> include = excludes.isEmpty()
          ? (hidesNothing ? p -> true : p -> !tree.ignored().test(prefix + p))
          : p -> !tree.ignored().test(prefix + p) && !excludes.matches(p)
              && !excludes.matches(prefix + p);
      if (tree.isContext()) {
        contextFiles.add(new ContextFiles(prefix, true, host, include));
      }
      contents = new Contents(
          tree.isContext() ? ContextScanner.walk(host, prefix, include, memo(options))
              : layerDir.isPresent() ? tree.layers().walk(host, include)
              : tree.layers() != null ? DirectoryScanner.walkOverlay(host, include)
              : DirectoryScanner.walk(host, include),
          tree, host);
    } else if (st.isRegularFile()) {
      ContentSource content = tree.isContext()
          ? new ContextFile(host, rel, FileStamp.of(host), memo(options))
          : ContentSource.ofFile(host);
      if (tree.isContext()) {
        contextFiles.add(new ContextFiles(rel, false, host, p -> true));
      }
      top = owned(tree,
          LayerEntry.regular(entryName, st.size(), content).withMode(st.permissions())
              .withMtime(st.mtime()), st);
      archive = options.unpack() && Archives.isArchive(host);
    } else if (st.isSymlink()) {
      // A dangling link (or one leaving the tree) as the source itself.
      throw new CopySourceException(describe(tree, rel) + ": not found");
    } else {
      throw new CopySourceException(describe(tree, rel) + ": not a regular file or directory");
    }
    // The match's own xattrs travel too, as BuildKit's copy keeps them on what it creates.
    Map<String, byte[]> xattrs = DirectoryScanner.xattrs(host);
    if (!xattrs.isEmpty()) {
      top = top.withXattrs(xattrs);
    }
    return new Item(name, rel, parentsPath, top, contents, archive, host);
  }

  private static LayerEntry owned(SourceTree tree, LayerEntry e, FileStat st) {
    return tree.keepOwners()
        ? e.withOwner(Integer.toUnsignedLong(st.uid()), Integer.toUnsignedLong(st.gid()))
        : e;
  }

  /** A name as {@code length:name}, so that no name (newlines included) can fake another line. */
  private static StringBuilder quoted(StringBuilder s, String name) {
    return s.append(name.length()).append(':').append(name);
  }

  private static FileDigests memo(Options options) {
    return options.digests() != null ? options.digests() : FileDigests.uncached();
  }

  private static void describe(
      StringBuilder s, LayerEntry e, SourceTree tree, Path host, String below)
      throws IOException {
    quoted(s, e.path()).append(' ').append(e.type().name()).append(' ')
        .append(Integer.toOctalString(e.mode())).append(' ').append(e.uid()).append(':')
        .append(e.gid()).append(' ').append(e.size()).append(' ');
    quoted(s, e.linkTarget()).append(' ').append(e.devMajor()).append(',').append(e.devMinor());
    for (Map.Entry<String, byte[]> x : e.xattrs().entrySet()) {
      s.append(' ').append(x.getKey()).append('=')
          .append(Digest.sha256(x.getValue()).hex(), 0, 16);
    }
    // Files of a stage or image are described by that source's layer chain (in the step's key);
    // only context files are hashed.
    if (e.type() == EntryType.REGULAR && tree.isContext()) {
      s.append(" sha256:");
      if (e.content() instanceof ContextFile f) {
        s.append(f.hex());
      } else {
        s.append(FileDigests.hash(below == null ? host : FileNames.resolve(host, below)).hex());
      }
    }
    s.append('\n');
  }

  private static String describe(SourceTree tree, String rel) {
    String shown = "\"/" + rel + "\"";
    return tree.isContext() ? shown + " in the build context" : shown;
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
