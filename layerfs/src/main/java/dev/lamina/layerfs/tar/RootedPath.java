package dev.lamina.layerfs.tar;

import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.posix.Posix;
import java.io.IOException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * Resolves hostile names inside a root directory as if the process were chrooted there (the
 * semantics of filepath-securejoin's {@code SecureJoin}).
 *
 * <p>Names are walked one component at a time with lstat. A symlink met on the way is followed,
 * but its target is read as a path inside the root: an absolute target starts again at the root,
 * and {@code ..} at the root stays at the root. {@code ..} is never applied lexically before the
 * symlinks in front of it are resolved ({@code link/../x} with {@code link -> a/b} is {@code a/x}).
 * Symlink targets are never rejected for how they read (images legitimately ship links such as
 * {@code ../../../../etc/pki/tls/certs}); the resolution is contained instead. Every result is a
 * lexically clean path under the root, so nothing outside it can be named.
 *
 * <p>This guards against hostile archive content, not against another process changing the tree
 * while it is being resolved: the caller must own the root during extraction.
 */
final class RootedPath {
  /** Linux's own limit on symlinks followed in one lookup (MAXSYMLINKS). */
  static final int MAX_SYMLINKS = 40;

  private final Path root;
  /** The parent of the entry {@link #resolveEntry} resolved last, as named and as resolved. */
  private List<String> lastEntryParentParts;
  private Path lastEntryParent;

  /**
   * @param root an absolute directory without symlinks in it (for example from {@code toRealPath})
   */
  RootedPath(Path root) {
    if (!root.isAbsolute()) {
      throw new IllegalArgumentException("root must be absolute: " + root);
    }
    this.root = root;
  }

  Path root() {
    return root;
  }

  /** The non-empty components of a name, without {@code .} (but with {@code ..}). */
  static List<String> components(String name) {
    List<String> out = new ArrayList<>();
    for (String part : name.split("/", -1)) {
      if (!part.isEmpty() && !part.equals(".")) {
        out.add(part);
      }
    }
    return out;
  }

  /** Resolves every component of {@code name}, following symlinks (inside the root). */
  Path resolve(String name) throws IOException {
    return resolve(components(name));
  }

  /**
   * Resolves {@code name} for creating, replacing or removing it: every parent is resolved and
   * followed, the final component is not. A name whose last component is {@code ..} (or that is
   * empty) names the directory it resolves to.
   */
  Path resolveNoFollow(String name) throws IOException {
    List<String> parts = components(name);
    if (parts.isEmpty() || parts.get(parts.size() - 1).equals("..")) {
      return resolve(parts);
    }
    Path parent = resolve(parts.subList(0, parts.size() - 1));
    return child(parent, parts.get(parts.size() - 1));
  }

  /**
   * As {@link #resolveNoFollow}, for the name of the entry an extraction applies next: the
   * resolution of its parent is kept, and an entry whose parent is spelled exactly as the previous
   * entry's reuses it (the entries of one directory come one after another), instead of an lstat
   * a component. Why that is the resolution a fresh walk would give: the caller owns the root,
   * and between two such entries the one change made is the previous entry's own, which creates,
   * replaces or removes a child of that same resolved parent (or, below it, its missing
   * directories), never the parent itself or a directory above it, so no component of the kept
   * resolution changed. Only the entries' own names come through here: a hardlink's target is
   * resolved with {@link #resolveNoFollow}, as its parent need not be the entry's.
   */
  Path resolveEntry(String name) throws IOException {
    return resolveEntry(components(name));
  }

  /** As {@link #resolveEntry(String)}, for a name already split into its {@link #components}. */
  Path resolveEntry(List<String> parts) throws IOException {
    if (parts.isEmpty() || parts.get(parts.size() - 1).equals("..")) {
      forgetEntryParent(); // such an entry changes the directory it names, not a child
      return resolve(parts);
    }
    List<String> parentParts = parts.subList(0, parts.size() - 1);
    Path parent;
    if (parentParts.equals(lastEntryParentParts)) {
      parent = lastEntryParent;
    } else {
      parent = resolve(parentParts);
      lastEntryParentParts = List.copyOf(parentParts);
      lastEntryParent = parent;
    }
    return child(parent, parts.get(parts.size() - 1));
  }

  /**
   * Tells {@link #resolveEntry} that the entry named {@code parts} was just made as the directory
   * {@code dir}, the resolution of that name: the entries after it, its children, then start from
   * it without an lstat a component. Sound for the reason {@link #resolveEntry} gives, since the
   * name was resolved through it and its last component is the directory made there, not a
   * symlink to follow.
   */
  void enteredDirectory(List<String> parts, Path dir) {
    lastEntryParentParts = List.copyOf(parts);
    lastEntryParent = dir;
  }

  /**
   * Drops what {@link #resolveEntry} kept: an entry that does not come through it (a whiteout)
   * may change more than a child of the kept parent.
   */
  void forgetEntryParent() {
    lastEntryParentParts = null;
    lastEntryParent = null;
  }

  /** The path of {@code p} relative to the root, as a key ({@code ""} for the root). */
  String relative(Path p) {
    return FileNames.name(root.relativize(p));
  }

  boolean isRoot(Path p) {
    return p.equals(root);
  }

  private Path resolve(List<String> parts) throws IOException {
    Deque<String> todo = new ArrayDeque<>(parts);
    List<String> done = new ArrayList<>();
    int followed = 0;
    boolean missing = false;
    while (!todo.isEmpty()) {
      String part = todo.pollFirst();
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!done.isEmpty()) {
          done.remove(done.size() - 1);
        }
        // Below a missing component nothing exists, so everything after it is lexical; once
        // ".." climbs back above it, the path may exist again.
        missing = false;
        continue;
      }
      Path candidate = child(join(done), part);
      if (!missing) {
        Optional<BasicFileAttributes> attrs = lstat(candidate);
        if (attrs.isEmpty()) {
          missing = true;
        } else if (attrs.get().isSymbolicLink()) {
          if (++followed > MAX_SYMLINKS) {
            throw new FileSystemLoopException(relative(candidate));
          }
          String target = Posix.readlink(candidate);
          if (target.startsWith("/")) {
            done.clear();
          }
          List<String> targetParts = components(target);
          for (int i = targetParts.size() - 1; i >= 0; i--) {
            todo.addFirst(targetParts.get(i));
          }
          continue;
        }
      }
      done.add(part);
    }
    return join(done);
  }

  private Path join(List<String> parts) {
    Path p = root;
    for (String part : parts) {
      p = FileNames.resolve(p, part);
    }
    return p;
  }

  private static Path child(Path dir, String name) throws IOException {
    if (name.indexOf('\0') >= 0 || name.indexOf('/') >= 0) {
      throw new IOException("invalid path component: " + LayerFormatException.printable(name));
    }
    try {
      return FileNames.resolve(dir, name);
    } catch (InvalidPathException e) {
      throw new IOException("invalid path component: " + LayerFormatException.printable(name));
    }
  }

  /** lstat as attributes, empty when the path does not exist (or a parent is not a directory). */
  static Optional<BasicFileAttributes> lstat(Path p) throws IOException {
    try {
      return Optional.of(
          Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (java.nio.file.FileSystemException e) {
      if (e.getReason() != null && e.getReason().contains("Not a directory")) {
        return Optional.empty();
      }
      throw e;
    }
  }
}
