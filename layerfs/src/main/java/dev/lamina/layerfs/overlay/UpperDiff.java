package dev.lamina.layerfs.overlay;

import static dev.lamina.layerfs.tar.LayerPaths.baseName;
import static dev.lamina.layerfs.tar.LayerPaths.join;
import static dev.lamina.layerfs.tar.LayerPaths.parentOf;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.tar.DirectoryScanner;
import dev.lamina.layerfs.tar.EntryType;
import dev.lamina.layerfs.tar.LayerDigests;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.LayerWriter;
import dev.lamina.layerfs.tar.Layers;
import dev.lamina.layerfs.tar.Whiteouts;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns an overlayfs upper directory into the entries of an OCI layer (what a RUN step or {@code
 * commit} adds): a 0:0 character device (or an empty file marked {@code overlay.whiteout}) becomes
 * a {@code .wh.NAME} whiteout, a directory marked {@code overlay.opaque=y} gets a {@code
 * .wh..wh..opq} entry, everything else is copied as it is (the scanner drops overlay-private
 * xattrs). Uppers that need overlay features an OCI layer cannot express are refused: redirected
 * directories ({@code redirect_dir}) and metadata-only copies ({@code metacopy}).
 */
public final class UpperDiff {
  /** fuse-overlayfs's markers of an opaque directory, files in it. */
  private static final Set<String> FUSE_OPAQUE = Set.of(Whiteouts.OPAQUE, ".wh..opq");

  private final String xattrPrefix;
  private final boolean fuse;

  private UpperDiff(String xattrPrefix) {
    this(xattrPrefix, false);
  }

  private UpperDiff(String xattrPrefix, boolean fuse) {
    this.xattrPrefix = xattrPrefix;
    this.fuse = fuse;
  }

  /**
   * For uppers written by fuse-overlayfs, which marks an opaque directory with files in it (an
   * empty {@code .wh..wh..opq}, as an OCI layer does, and a {@code .wh..opq} whiteout) rather than
   * an xattr; whiteouts are 0:0 devices as the kernel's, or, where it may not make devices (a
   * user namespace before Linux 5.8), empty {@code .wh.NAME} files, as in an OCI layer.
   */
  public static UpperDiff fuseOverlayfs() {
    return new UpperDiff("user.fuseoverlayfs.", true);
  }

  /** For uppers of mounts made by root ({@code trusted.overlay.*} xattrs). */
  public static UpperDiff trusted() {
    return new UpperDiff("trusted.overlay.");
  }

  /**
   * For uppers of this process's mounts: {@code user.overlay.*} in a user namespace (see {@link
   * OverlayMount}), {@code trusted.overlay.*} otherwise.
   */
  public static UpperDiff here() {
    return dev.lamina.layerfs.posix.Rootless.inUserNamespace() ? user() : trusted();
  }

  /** For uppers of mounts made with {@code userxattr} in a user namespace. */
  public static UpperDiff user() {
    return new UpperDiff("user.overlay.");
  }

  /**
   * The layer entries of {@code upper}, sorted.
   *
   * @throws IOException if the upper cannot be read, uses redirect_dir or metacopy, or holds a
   *     file whose name is reserved for whiteouts
   */
  public List<LayerEntry> entries(Path upper) throws IOException {
    return entries(upper, Set.of());
  }

  /**
   * Like {@link #entries(Path)}, leaving out the upper-relative paths in {@code exclude} (see
   * {@link MountPoints#createdIn}).
   *
   * @throws IOException as {@link #entries(Path)}
   */
  public List<LayerEntry> entries(Path upper, Set<String> exclude) throws IOException {
    List<LayerEntry> scanned =
        exclude.isEmpty()
            ? DirectoryScanner.scan(upper)
            : DirectoryScanner.scan(upper, path -> !exclude.contains(path));
    List<LayerEntry> out = new ArrayList<>(scanned.size());
    // Recent kernels make every whiteout of an upper a hard link to one shared inode, so the
    // scanner reports all but the first as hardlinks to it: those are whiteouts as well.
    Set<String> whiteouts = new HashSet<>();
    // The whiteouts written: a deletion fuse-overlayfs recorded in both forms is written once.
    Set<String> written = new HashSet<>();
    for (LayerEntry e : scanned) {
      Path file = FileNames.resolve(upper, e.path());
      String name = baseName(e.path());
      if (fuse && FUSE_OPAQUE.contains(name)) {
        if (name.equals(Whiteouts.OPAQUE)) {
          out.add(LayerEntry.emptyFile(e.path()).withMtime(e.mtime()));
        }
        continue;
      }
      if (fuse && isFuseWhiteout(e, name, whiteouts)) {
        // Where fuse-overlayfs cannot make a 0:0 device (a user namespace on a kernel before
        // 5.8), it records a deletion as an empty .wh.NAME file beside it, and reads every
        // .wh. name as one: the layer's whiteout, as the device would give.
        whiteouts.add(e.path());
        if (written.add(e.path())) {
          out.add(LayerEntry.emptyFile(e.path()).withMtime(e.mtime()));
        }
        continue;
      }
      if (Whiteouts.isWhiteout(name)) {
        throw new IOException(
            "cannot make a layer: " + e.path() + " has a name reserved for OCI whiteouts");
      }
      refuse(file, e.path(), "redirect", "redirected directory (redirect_dir)");
      refuse(file, e.path(), "metacopy", "metadata-only copy (metacopy)");
      if (isWhiteout(e, file)
          || (e.type() == EntryType.HARDLINK && whiteouts.contains(e.linkTarget()))) {
        whiteouts.add(e.path());
        LayerEntry w = whiteout(e);
        if (written.add(w.path())) {
          out.add(w);
        }
        continue;
      }
      out.add(e);
      if (!fuse && e.type() == EntryType.DIRECTORY && isOpaque(file)) {
        out.add(LayerEntry.emptyFile(join(e.path(), Whiteouts.OPAQUE)).withMtime(e.mtime()));
      }
    }
    return out;
  }

  /**
   * Writes the layer of {@code upper} to {@code sink} in one pass (see {@link Layers#write}).
   *
   * @throws IOException as {@link #entries} and {@link Layers#write}
   */
  public LayerDigests write(
      Path upper, LayerWriter writer, OutputStream sink, Compression compression, int level)
      throws IOException {
    return Layers.write(writer, entries(upper), sink, compression, level);
  }

  /**
   * Whether {@code e}, named {@code name}, is a whiteout fuse-overlayfs wrote as a file: a
   * {@code .wh.NAME} file (or a hard link to one) naming a sibling. The OCI layer format reserves
   * the prefix, so no file of the container's can bear it; a {@code .wh.} name that names no
   * sibling ({@code .wh..}) or is AUFS's ({@code .wh..wh.*}) is refused as before.
   */
  private static boolean isFuseWhiteout(LayerEntry e, String name, Set<String> whiteouts) {
    return Whiteouts.isWhiteout(name)
        && !name.startsWith(Whiteouts.META_PREFIX)
        && Whiteouts.hiddenName(name) != null
        && (e.type() == EntryType.REGULAR
            || (e.type() == EntryType.HARDLINK && whiteouts.contains(e.linkTarget())));
  }

  private boolean isWhiteout(LayerEntry e, Path file) throws IOException {
    if (e.type() == EntryType.CHAR_DEVICE) {
      return e.devMajor() == 0 && e.devMinor() == 0;
    }
    return e.type() == EntryType.REGULAR
        && e.size() == 0
        && Posix.lgetxattr(file, xattrPrefix + "whiteout").isPresent();
  }

  private boolean isOpaque(Path dir) throws IOException {
    return Posix.lgetxattr(dir, xattrPrefix + "opaque")
        .map(v -> v.length == 1 && v[0] == 'y')
        .orElse(false);
  }

  private void refuse(Path file, String path, String xattr, String what) throws IOException {
    if (Posix.lgetxattr(file, xattrPrefix + xattr).isPresent()) {
      throw new IOException(
          "cannot make a layer: " + path + " is a " + what + ", which OCI layers cannot express");
    }
  }

  private static LayerEntry whiteout(LayerEntry e) {
    String parent = parentOf(e.path());
    return LayerEntry.emptyFile(join(parent, Whiteouts.whiteoutFor(baseName(e.path()))))
        .withMtime(e.mtime());
  }
}
