package dev.lamina.layerfs.tar;

import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.FileWriteBehind;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.posix.PosixException;
import dev.lamina.layerfs.posix.TargetDirectory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The state of one layer being applied: what this layer has written (so that its own whiteouts
 * and opaque markers never remove it), directory times to set at the end, and warnings. Every
 * path goes through {@link RootedPath}; nothing here follows a final symlink.
 */
final class Extraction implements AutoCloseable {
  private static final int ERRNO_EPERM = 1;
  private static final int ERRNO_EINVAL = 22;
  private static final int ERRNO_ENOTSUP = 95;
  private static final int IMPLIED_DIR_MODE = 0755;

  private final RootedPath paths;
  private final ApplyOptions options;
  /**
   * Paths (relative to the root) this layer created or touched, implied parents included; kept
   * only when the root held something before (see {@link #wasWritten}).
   */
  private final Set<String> written = new HashSet<>();
  /**
   * Whether the root was empty when this layer began: then whatever is in it was written by this
   * layer, and the file system itself answers {@link #wasWritten}, so that a layer of a million
   * files does not keep a million names.
   */
  private final boolean startedEmpty;
  /** The directory {@link #ensureDirectory} made sure of last, until something is removed. */
  private Path ensured;
  /** Directory times, set last: writing a child changes its directory's mtime. */
  private final Map<Path, Instant> directoryTimes = new LinkedHashMap<>();
  private final List<String> warnings = new ArrayList<>();
  private long bytesWritten;
  /**
   * What the root holds, kept up to date as entries are made and removed when it {@link
   * #startedEmpty}: the extracted layer's completion marker records it, which a walk of the whole
   * tree would otherwise count again.
   */
  private long treeEntries;
  private long treeBytes;
  private final byte[] copyBuffer = new byte[256 * 1024];
  /**
   * The directory regular files were created in last, held open for the entries after it (the
   * entries of one directory come one after another); closed when anything is removed, since the
   * directory may be among what was removed.
   */
  private TargetDirectory filesDir;
  /**
   * Finishes small files on another thread (null until the first, or where it cannot); flushed
   * before anything looks at or removes what the tree holds already (see {@link
   * FileWriteBehind}).
   */
  private FileWriteBehind writeBehind;
  private boolean writeBehindTried;

  Extraction(RootedPath paths, ApplyOptions options) throws IOException {
    this.paths = paths;
    this.options = options;
    try (DirectoryStream<Path> children = Files.newDirectoryStream(paths.root())) {
      this.startedEmpty = !children.iterator().hasNext();
    }
  }

  long bytesWritten() {
    return bytesWritten;
  }

  List<String> warnings() {
    return warnings;
  }

  /** What the root holds now, where this extraction made all of it. */
  Optional<TreeTally> tree() {
    return startedEmpty ? Optional.of(new TreeTally(treeEntries, treeBytes)) : Optional.empty();
  }

  /** Counts a name made in the tree: a regular file's {@code size} bytes, or 0 for others. */
  private void made(long size) {
    treeEntries++;
    treeBytes += size;
  }

  private void removed(BasicFileAttributes attrs) {
    treeEntries--;
    if (attrs.isRegularFile()) {
      treeBytes -= attrs.size();
    }
  }

  /** Applies one entry, reading its content from {@code data}. */
  void apply(EntryHeader h, InputStream data) throws IOException {
    List<String> parts = RootedPath.components(h.name());
    String base = parts.isEmpty() ? "" : parts.get(parts.size() - 1);
    if (Whiteouts.isWhiteout(base)) {
      paths.forgetEntryParent();
      applyWhiteout(h, parts, base);
      return;
    }
    if (h.kind() == EntryHeader.Kind.SOCKET) {
      warnings.add("skipped socket " + printable(h.name()));
      return;
    }
    Path path = paths.resolveEntry(parts);
    if (paths.isRoot(path) && h.kind() != EntryHeader.Kind.DIRECTORY) {
      // The root's type never changes (a symlink named "..", "" or "a/..").
      warnings.add("skipped " + h.kind() + " entry naming the root: " + printable(h.name()));
      return;
    }
    switch (h.kind()) {
      case DIRECTORY -> directory(h, path, parts);
      case REGULAR -> regularFile(h, path, data);
      case SYMLINK -> symlink(h, path);
      case HARDLINK -> hardlink(h, path);
      case CHAR_DEVICE, BLOCK_DEVICE, FIFO -> special(h, path);
      default -> throw new IllegalStateException(h.kind().toString());
    }
  }

  /** Sets the directory times recorded along the way, now that nothing writes into them. */
  void finish() throws IOException {
    flushFiles();
    for (Map.Entry<Path, Instant> e : directoryTimes.entrySet()) {
      Optional<BasicFileAttributes> attrs = RootedPath.lstat(e.getKey());
      if (attrs.isPresent() && attrs.get().isDirectory()) {
        setTimes(e.getKey(), e.getValue());
      }
    }
  }

  // ---- entry types ------------------------------------------------------------------------

  private void directory(EntryHeader h, Path path, List<String> parts) throws IOException {
    if (!paths.isRoot(path) && h.xattrs().isEmpty() && madeInTarget(h, path, parts)) {
      return;
    }
    if (!paths.isRoot(path)) {
      ensureDirectory(path.getParent());
      Optional<BasicFileAttributes> existing = RootedPath.lstat(path);
      if (existing.isPresent() && !existing.get().isDirectory()) {
        removeTree(path);
        existing = Optional.empty();
      }
      if (existing.isEmpty()) {
        Files.createDirectory(path, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
        made(0);
      }
      // An existing directory keeps its children: only its metadata changes.
    }
    markWritten(path);
    restoreMetadata(h, path, false);
    directoryTimes.remove(path);
    directoryTimes.put(path, h.mtime());
  }

  private void regularFile(EntryHeader h, Path path, InputStream data) throws IOException {
    if (h.xattrs().isEmpty() && createdInTarget(h, path, data)) {
      return;
    }
    prepareNonDirectory(path);
    // CREATE_NEW is O_CREAT|O_EXCL: it never follows a symlink that appeared at the path.
    long size = 0;
    try (FileChannel channel =
            FileChannel.open(
                path,
                Set.of(
                    StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE,
                    LinkOption.NOFOLLOW_LINKS),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      // Through one buffer of this extraction's: InputStream.transferTo's 8 KiB cost a file of
      // 40 KiB five writes.
      ByteBuffer buffer = ByteBuffer.wrap(copyBuffer);
      for (int n; (n = data.read(copyBuffer)) > 0; ) {
        buffer.clear().limit(n);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        size += n;
      }
    }
    bytesWritten += size;
    made(size);
    restoreMetadata(h, path, false);
    setTimes(path, h.mtime());
  }

  /**
   * Creates the regular file {@code path} in its directory held open, writes it and gives it its
   * owner, mode and times through its descriptor (see {@link TargetDirectory}): the way nearly
   * every file of a layer is written. False, with nothing changed, where something is at the path
   * already or the native calls are not made here: the caller then replaces it by path.
   */
  private boolean createdInTarget(EntryHeader h, Path path, InputStream data)
      throws IOException {
    TargetDirectory dir = filesDirFor(path.getParent());
    if (dir == null) {
      return false;
    }
    TargetDirectory.NewFile file = dir.create(FileNames.cString(path.getFileName()), path);
    if (file == null) {
      return false;
    }
    markWritten(path);
    FileWriteBehind behind = FileWriteBehind.takes(h.size()) ? writeBehind() : null;
    if (behind != null) {
      behind.add(file, data, (int) h.size(), options.restoreOwners(), (int) h.uid(),
          (int) h.gid(), h.mode(), h.mtime().getEpochSecond(), h.mtime().getNano());
      bytesWritten += h.size();
      made(h.size());
      return true;
    }
    long size = 0;
    try (file) {
      for (int n; (n = data.read(copyBuffer)) > 0; ) {
        file.write(copyBuffer, 0, n);
        size += n;
      }
      bytesWritten += size;
      made(size);
      // Owner, then mode (chown clears setuid and setgid), then times.
      giveOwner(h, path, file::chown);
      file.chmod(h.mode());
      file.setTimes(h.mtime().getEpochSecond(), h.mtime().getNano());
    }
    return true;
  }

  /**
   * Makes the directory {@code path} in its parent held open and gives it its owner and mode
   * through its descriptor, then holds it open for the entries after it (its children come
   * next). False, with nothing changed, where something is at the path already or the native
   * calls are not made here: the caller then makes it, or changes what is there, by path.
   */
  private boolean madeInTarget(EntryHeader h, Path path, List<String> parts) throws IOException {
    TargetDirectory parent = filesDirFor(path.getParent());
    if (parent == null) {
      return false;
    }
    TargetDirectory made = parent.makeDirectory(FileNames.cString(path.getFileName()), path);
    if (made == null) {
      return false;
    }
    made(0);
    markWritten(path);
    try {
      // Owner, then mode (chown clears setgid).
      giveOwner(h, path, made::chown);
      made.chmod(h.mode());
    } catch (IOException e) {
      made.close();
      throw e;
    }
    closeFilesDir();
    filesDir = made;
    // Made here as a directory: its own path needs no making, and its name resolves to it.
    ensured = path;
    paths.enteredDirectory(parts, path);
    directoryTimes.remove(path);
    directoryTimes.put(path, h.mtime());
    return true;
  }

  /** The directory {@code dir} held open, opened now if another one was held; null if not here. */
  private TargetDirectory filesDirFor(Path dir) throws IOException {
    ensureDirectory(dir);
    if (filesDir == null || !filesDir.path().equals(dir)) {
      closeFilesDir();
      filesDir = TargetDirectory.open(dir);
    }
    return filesDir;
  }

  private FileWriteBehind writeBehind() {
    if (!writeBehindTried) {
      writeBehindTried = true;
      writeBehind = FileWriteBehind.start("layer-files", (file, uid, gid, e) -> ownerFailure(
          file, Integer.toUnsignedLong(uid), Integer.toUnsignedLong(gid), e));
    }
    return writeBehind;
  }

  /** Waits for the files handed over to be finished: before a look at what the tree holds. */
  private void flushFiles() throws IOException {
    if (writeBehind != null) {
      writeBehind.flush();
    }
  }

  private void closeFilesDir() {
    if (filesDir != null) {
      filesDir.close();
      filesDir = null;
    }
  }

  /** Closes what the extraction holds open; called once it is done or has failed. */
  @Override
  public void close() {
    closeFilesDir();
    if (writeBehind != null) {
      try {
        writeBehind.close();
      } catch (IOException e) {
        // The extraction failed already, or finish() reported it.
      }
    }
  }

  private void symlink(EntryHeader h, Path path) throws IOException {
    if (h.linkName().isEmpty() || h.linkName().indexOf('\0') >= 0) {
      throw new LayerFormatException(h.name(), "a symlink needs a target");
    }
    // The target is stored as written: it is only ever resolved through RootedPath.
    if (h.xattrs().isEmpty()) {
      TargetDirectory dir = filesDirFor(path.getParent());
      byte[] name = FileNames.cString(path.getFileName());
      if (dir != null && dir.symlink(FileNames.cString(h.linkName()), name, path)) {
        made(0);
        markWritten(path);
        giveOwner(h, path, (uid, gid) -> dir.lchown(name, path, uid, gid));
        dir.setTimes(name, path, h.mtime().getEpochSecond(), h.mtime().getNano());
        return;
      }
    }
    prepareNonDirectory(path);
    Posix.symlink(h.linkName(), path);
    made(0);
    restoreMetadata(h, path, true);
    setTimes(path, h.mtime());
  }

  private void hardlink(EntryHeader h, Path path) throws IOException {
    flushFiles(); // the target's size is counted from the tree
    ensureDirectory(path.getParent());
    // The target is bound to the root like any name; a symlink target is linked itself.
    Path target = paths.resolveNoFollow(h.linkName());
    Optional<BasicFileAttributes> targetAttrs = RootedPath.lstat(target);
    if (paths.isRoot(target) || targetAttrs.isEmpty()) {
      throw new LayerFormatException(
          h.name(), "hardlink target '" + printable(h.linkName()) + "' does not exist");
    }
    if (targetAttrs.get().isDirectory()) {
      throw new LayerFormatException(
          h.name(), "hardlink target '" + printable(h.linkName()) + "' is a directory");
    }
    if (path.equals(target)) {
      markWritten(path);
      return;
    }
    Optional<BasicFileAttributes> existing = RootedPath.lstat(path);
    if (existing.isPresent()) {
      FileStat a = Posix.lstat(path);
      FileStat b = Posix.lstat(target);
      if (a.dev() == b.dev() && a.ino() == b.ino()) {
        markWritten(path);
        return;
      }
      removeTree(path);
    }
    // link(2) does not follow a symlink target. No metadata is applied: the inode is the
    // target's, and changing it here would change the target (CVE-2021-32760).
    Files.createLink(path, target);
    made(targetAttrs.get().isRegularFile() ? targetAttrs.get().size() : 0);
    markWritten(path);
  }

  private void special(EntryHeader h, Path path) throws IOException {
    int type =
        switch (h.kind()) {
          case CHAR_DEVICE -> FileStat.S_IFCHR;
          case BLOCK_DEVICE -> FileStat.S_IFBLK;
          default -> FileStat.S_IFIFO;
        };
    prepareNonDirectory(path);
    Posix.mknod(path, type | 0600, (int) h.devMajor(), (int) h.devMinor());
    made(0);
    restoreMetadata(h, path, false);
    setTimes(path, h.mtime());
  }

  // ---- whiteouts --------------------------------------------------------------------------

  private void applyWhiteout(EntryHeader h, List<String> parts, String base) throws IOException {
    flushFiles();
    String parentName = String.join("/", parts.subList(0, parts.size() - 1));
    if (Whiteouts.isOpaque(base)) {
      opaque(h, parentName);
      return;
    }
    if (base.startsWith(Whiteouts.META_PREFIX)) {
      warnings.add("skipped AUFS metadata " + printable(h.name()));
      return;
    }
    String hidden = Whiteouts.hiddenName(base);
    if (hidden == null) {
      throw new LayerFormatException(h.name(), "invalid whiteout name");
    }
    if (options.whiteoutFormat() instanceof WhiteoutFormat.Overlay) {
      overlayWhiteout(h, parentName, hidden);
    } else {
      flattenWhiteout(parentName, hidden);
    }
  }

  private void flattenWhiteout(String parentName, String hidden) throws IOException {
    Path parent = paths.resolve(parentName);
    Path target = FileNames.resolve(parent, hidden);
    if (wasWritten(target)) {
      return; // never delete what this same layer added
    }
    if (RootedPath.lstat(target).isEmpty()) {
      return; // an absent path or a dead link's target: nothing to hide
    }
    Optional<FileTime> parentTime = mtimeOf(parent);
    removeTree(target);
    restoreTime(parent, parentTime);
  }

  private void overlayWhiteout(EntryHeader h, String parentName, String hidden)
      throws IOException {
    Path parent = paths.resolve(parentName);
    Path target = FileNames.resolve(parent, hidden);
    if (wasWritten(target)) {
      return;
    }
    ensureDirectory(parent);
    Optional<FileTime> parentTime = mtimeOf(parent);
    if (RootedPath.lstat(target).isPresent()) {
      removeTree(target);
    }
    // overlayfs reads a 0:0 character device as "deleted in the layers below".
    Posix.mknod(target, FileStat.S_IFCHR, 0, 0);
    made(0);
    giveOwner(h, target, (uid, gid) -> Posix.lchown(target, uid, gid));
    markWritten(target);
    restoreTime(parent, parentTime);
  }

  private void opaque(EntryHeader h, String dirName) throws IOException {
    Path dir = paths.resolve(dirName);
    if (options.whiteoutFormat() instanceof WhiteoutFormat.Overlay overlay) {
      ensureDirectory(dir);
      Posix.lsetxattr(dir, overlay.opaqueXattr(), new byte[] {'y'});
      markWritten(dir);
      return;
    }
    Optional<BasicFileAttributes> attrs = RootedPath.lstat(dir);
    if (attrs.isEmpty() || !attrs.get().isDirectory()) {
      return;
    }
    Optional<FileTime> time = mtimeOf(dir);
    removeLowerChildren(dir);
    restoreTime(dir, time);
  }

  /**
   * Removes what the lower layers put under {@code dir}, keeping what this layer wrote and
   * descending into directories this layer also wrote (their lower children are hidden too).
   */
  private void removeLowerChildren(Path dir) throws IOException {
    List<Path> children;
    try (var list = Files.list(dir)) {
      children = list.toList();
    }
    for (Path child : children) {
      if (!wasWritten(child)) {
        removeTree(child);
      } else {
        Optional<BasicFileAttributes> attrs = RootedPath.lstat(child);
        if (attrs.isPresent() && attrs.get().isDirectory()) {
          removeLowerChildren(child);
        }
      }
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** Makes room for a non-directory at {@code path}: parents exist, nothing is at the path. */
  private void prepareNonDirectory(Path path) throws IOException {
    flushFiles();
    ensureDirectory(path.getParent());
    if (RootedPath.lstat(path).isPresent()) {
      // Replace, never write through: a file over "bin/sh -> busybox" replaces the link.
      removeTree(path);
    }
    markWritten(path);
  }

  /**
   * Creates the missing directories from the root down to {@code dir} with a fixed mode (not the
   * umask), replacing a non-directory in the way ({@code file} then {@code file/sub}).
   * {@code dir} comes from {@link RootedPath}, so no component is a symlink to follow.
   */
  private void ensureDirectory(Path dir) throws IOException {
    if (dir.equals(ensured)) {
      return; // the entries of one directory come one after another
    }
    Path current = paths.root();
    for (Path part : paths.root().relativize(dir)) {
      if (part.toString().isEmpty()) {
        continue;
      }
      current = current.resolve(part);
      Optional<BasicFileAttributes> attrs = RootedPath.lstat(current);
      if (attrs.isPresent() && attrs.get().isSymbolicLink()) {
        throw new IOException("unexpected symlink in a resolved path: " + current);
      }
      if (attrs.isPresent() && !attrs.get().isDirectory()) {
        removeTree(current);
        attrs = Optional.empty();
      }
      if (attrs.isEmpty()) {
        Files.createDirectory(current);
        made(0);
        Posix.chmod(current, IMPLIED_DIR_MODE);
      }
      markWritten(current);
    }
    ensured = dir;
  }

  /** Removes a path and, for a directory, everything under it, never following symlinks. */
  private void removeTree(Path path) throws IOException {
    flushFiles(); // what is removed is counted from the tree
    if (paths.isRoot(path)) {
      throw new IOException("refusing to remove the root");
    }
    ensured = null;
    closeFilesDir();
    Optional<BasicFileAttributes> attrs = RootedPath.lstat(path);
    if (attrs.isEmpty()) {
      return;
    }
    if (!attrs.get().isDirectory()) {
      Files.delete(path);
      removed(attrs.get());
      return;
    }
    Files.walkFileTree(
        path,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes a) throws IOException {
            Files.delete(file);
            removed(a);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(d);
            treeEntries--;
            return FileVisitResult.CONTINUE;
          }
        });
    directoryTimes.keySet().removeIf(p -> p.startsWith(path));
  }

  /** One way of giving an owner: by a descriptor, by name in a held directory, by path. */
  @FunctionalInterface
  private interface OwnerCall {
    void chown(int uid, int gid) throws IOException;
  }

  /**
   * Gives {@code path} the entry's owner through {@code call}, when owners are restored. In a
   * user namespace an id outside its mapping fails with EINVAL, which says nothing of why: a user
   * without subordinate ids has only their own id mapped, and an image's files owned by other
   * users cannot be extracted ({@link #ownerFailure}).
   */
  private void giveOwner(EntryHeader h, Path path, OwnerCall call) throws IOException {
    if (!options.restoreOwners()) {
      return;
    }
    try {
      call.chown((int) h.uid(), (int) h.gid());
    } catch (PosixException e) {
      throw ownerFailure(path, h.uid(), h.gid(), e);
    }
  }

  /**
   * What a refused owner is reported as: for EINVAL, an {@link UnmappedOwnerException} naming
   * {@code path} inside the layer. It names its own entry because a small file's owner is given
   * on the write-behind thread, and its failure reaches the extraction at a later entry, or at
   * the end. Called on that thread too: it reads nothing that changes.
   */
  private IOException ownerFailure(Path path, long uid, long gid, PosixException e) {
    if (e.errno() != ERRNO_EINVAL) {
      return e;
    }
    return new UnmappedOwnerException(paths.relative(path), uid, gid, e);
  }

  /**
   * Owner, then xattrs, then mode: chown clears setuid/setgid and file capabilities, so those
   * come after it. chmod is never applied to a symlink (Linux has no lchmod).
   */
  private void restoreMetadata(EntryHeader h, Path path, boolean isSymlink) throws IOException {
    giveOwner(h, path, (uid, gid) -> Posix.lchown(path, uid, gid));
    for (Map.Entry<String, byte[]> xattr : h.xattrs().entrySet()) {
      String name = xattr.getKey();
      if (options.whiteoutFormat() instanceof WhiteoutFormat.Overlay overlay) {
        name = overlay.toDiskXattr(name);
      }
      try {
        Posix.lsetxattr(path, name, xattr.getValue());
      } catch (PosixException e) {
        if (e.errno() != ERRNO_ENOTSUP && e.errno() != ERRNO_EPERM) {
          throw e;
        }
        warnings.add("skipped xattr " + printable(name) + " on " + printable(h.name()));
      }
    }
    if (!isSymlink) {
      Posix.chmod(path, h.mode());
    }
  }

  private void markWritten(Path path) {
    if (!startedEmpty) {
      written.add(paths.relative(path));
    }
  }

  /** Whether this layer wrote {@code path}. */
  private boolean wasWritten(Path path) throws IOException {
    return startedEmpty ? RootedPath.lstat(path).isPresent()
        : written.contains(paths.relative(path));
  }

  private static void setTimes(Path path, Instant t) throws IOException {
    Posix.lutimes(path, t.getEpochSecond(), t.getNano());
  }

  private static Optional<FileTime> mtimeOf(Path p) throws IOException {
    return RootedPath.lstat(p).map(BasicFileAttributes::lastModifiedTime);
  }

  private static void restoreTime(Path p, Optional<FileTime> time) throws IOException {
    if (time.isPresent() && RootedPath.lstat(p).isPresent()) {
      Instant t = time.get().toInstant();
      Posix.lsetMtime(p, t.getEpochSecond(), t.getNano());
    }
  }

  private static String printable(String s) {
    return "'" + LayerFormatException.printable(s) + "'";
  }
}
