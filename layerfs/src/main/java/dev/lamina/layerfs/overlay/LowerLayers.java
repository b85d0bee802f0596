package dev.lamina.layerfs.overlay;

import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.posix.PosixException;
import dev.lamina.layerfs.tar.DirectoryScanner;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.WhiteoutFormat;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The lower layers of an overlay mount (overlay-format layer directories, as the store extracts
 * them), read without the mount. Reading a large tree through overlayfs costs the kernel a lookup
 * in every layer for each name and copies of every page read; where a directory and everything
 * under it come from a single layer, that layer's own directory holds exactly what the mount shows
 * there, and can be read instead ({@link #walk}).
 */
public final class LowerLayers {
  /**
   * Every opaque marker a mount of these layers may honour: real root's mounts', user
   * namespaces' ({@code userxattr}), and fuse-overlayfs's own, which it reads besides both (a
   * layer's {@code user.fuseoverlayfs.opaque} is extracted as it is). Whichever the mount reads,
   * any of them counts against a layer, which is never wrong.
   */
  private static final List<String> OPAQUE_XATTRS = List.of(
      ((WhiteoutFormat.Overlay) WhiteoutFormat.overlay()).opaqueXattr(),
      ((WhiteoutFormat.Overlay) WhiteoutFormat.overlayInUserNamespace()).opaqueXattr(),
      "user.fuseoverlayfs.opaque");

  private final List<Path> bottomFirst;
  private final WhiteoutFormat.Overlay format;

  private LowerLayers(List<Path> bottomFirst, WhiteoutFormat.Overlay format) {
    this.bottomFirst = List.copyOf(bottomFirst);
    this.format = Objects.requireNonNull(format, "format");
  }

  /**
   * The layer directories of a mount made by this process, the bottom-most first, extracted in
   * the form its mounts read ({@link WhiteoutFormat#overlayHere}).
   */
  public static LowerLayers of(List<Path> bottomFirst) {
    return of(bottomFirst, (WhiteoutFormat.Overlay) WhiteoutFormat.overlayHere());
  }

  /**
   * The layer directories of a mount that reads whiteouts and opaque markers in {@code format}
   * (a mount with {@code userxattr} reads {@code user.overlay.*}), the bottom-most first.
   */
  public static LowerLayers of(List<Path> bottomFirst, WhiteoutFormat.Overlay format) {
    return new LowerLayers(bottomFirst, format);
  }

  /**
   * The entries under a directory {@link #soleDirectory} gave, as the mount shows them there:
   * whiteouts of the mount's forms left out ({@link DirectoryScanner#walkLayer}).
   *
   * @throws java.nio.file.NotDirectoryException if {@code dir} is not a directory
   * @throws IOException if it cannot be stat'ed
   */
  public Iterable<LayerEntry> walk(Path dir, Predicate<String> include) throws IOException {
    return DirectoryScanner.walkLayer(dir, include, format);
  }

  /**
   * The directory of the one layer that holds the directory at {@code path} (relative to the
   * root, {@code ""} for the root itself, no symlink on the way) and everything under it, as the
   * mount shows them; empty where the mount's view there is not that of a single layer's
   * directory. That is: exactly one layer has an entry at {@code path}, a directory; no other has
   * one there (not even a whiteout) or under it; and no layer above it hides it with a
   * non-directory (a file, a symlink, a whiteout) or an opaque directory at one of its parents.
   * Layers below may hold anything at its parents (a directory above a non-directory hides
   * it), but nothing at the path (a layer with anything under it has it too). Whiteouts and
   * opaque markers under the path in that layer hide only what lower layers hold there, which is
   * nothing; {@link #walk} leaves them out.
   *
   * <p>Anything the check does not know, an opaque marker of any form or value, counts
   * against the layer: the caller then reads through the mount, which is never wrong.
   *
   * @throws IOException if a layer cannot be stat'ed
   */
  public Optional<Path> soleDirectory(String path) throws IOException {
    String[] parts = path.isEmpty() ? new String[0] : path.split("/");
    Path found = null;
    for (int i = bottomFirst.size() - 1; i >= 0; i--) { // top-most first, as overlayfs looks
      Reach r = reach(bottomFirst.get(i), parts);
      if (found == null) {
        switch (r.kind) {
          case NOTHING -> {
            if (r.opaqueParent) {
              return Optional.empty(); // hides the path in every layer below
            }
          }
          case BLOCKED -> {
            return Optional.empty(); // a non-directory parent hides the path below
          }
          case ENTRY -> {
            if (!r.stat.isDirectory()) {
              return Optional.empty();
            }
            found = r.file;
          }
        }
      } else if (r.kind == Kind.ENTRY) {
        return Optional.empty(); // below, merged into the found directory (or hidden by it)
      }
    }
    return Optional.ofNullable(found);
  }

  private enum Kind {
    /** No entry at the path, and every parent there is a directory or absent. */
    NOTHING,
    /** A parent is a non-directory: nothing at the path or under it in this layer. */
    BLOCKED,
    /** An entry at the path. */
    ENTRY
  }

  private record Reach(Kind kind, boolean opaqueParent, Path file, FileStat stat) {}

  /**
   * How far {@code parts} reach into the layer {@code layer}: each parent is stat'ed in turn, never
   * followed, so a symlink among them is a non-directory, not a way out of the layer.
   */
  private static Reach reach(Path layer, String[] parts) throws IOException {
    Path p = layer;
    boolean opaque = false;
    for (int k = 0; k < parts.length; k++) {
      p = FileNames.resolve(p, parts[k]);
      Optional<FileStat> st = lstat(p);
      if (st.isEmpty()) {
        return new Reach(Kind.NOTHING, opaque, null, null);
      }
      if (k == parts.length - 1) {
        return new Reach(Kind.ENTRY, opaque, p, st.get());
      }
      if (!st.get().isDirectory()) {
        return new Reach(Kind.BLOCKED, opaque, null, null);
      }
      opaque |= isOpaque(p);
    }
    return new Reach(Kind.ENTRY, false, layer, Posix.lstat(layer)); // the root
  }

  private static Optional<FileStat> lstat(Path p) throws IOException {
    try {
      return Optional.of(Posix.lstat(p));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  /** Whether {@code dir} may be opaque: true also where its attributes cannot be read. */
  private static boolean isOpaque(Path dir) {
    for (String name : OPAQUE_XATTRS) {
      try {
        if (Posix.lgetxattr(dir, name).isPresent()) {
          return true;
        }
      } catch (PosixException e) {
        return true;
      }
    }
    return false;
  }
}
