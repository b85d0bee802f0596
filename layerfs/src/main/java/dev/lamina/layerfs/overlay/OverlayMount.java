package dev.lamina.layerfs.overlay;

import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.posix.PosixException;
import dev.lamina.layerfs.posix.Rootless;
import dev.lamina.layerfs.store.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An overlayfs stack: read-only lower directories (top-most first, as overlayfs orders them), a
 * writable upper directory and its work directory, to be mounted on a target.
 *
 * <p>A stack whose classic option string fits in one 4 KiB page (about 40 long paths) and whose
 * paths are plain is mounted by {@code mount(2)} called through jffi ({@link MountCalls}), else by
 * {@code mount(8)}: a process costs a short-lived CLI a few milliseconds, the native binding
 * about 0.1 s (see {@link MountCommands}). Otherwise, or when that fails, the new mount API is
 * used: {@code fsopen("overlay")}, one {@code lowerdir+} per
 * layer, then {@code fsmount} and {@code move_mount}. It has no length limit, so stacks of
 * hundreds of layers mount. On kernels before 6.8 (no {@code lowerdir+}) or without the new API,
 * the classic option string is used when it fits.
 */
public final class OverlayMount {
  /** The most lower layers overlayfs accepts (OVL_MAX_STACK). */
  public static final int MAX_LOWERS = 500;

  private static final int PAGE_LIMIT = 4095;
  private static final int EINVAL = 22;
  private static final int ENOSYS = 38;

  /**
   * Whether the kernel refused {@code volatile} once (a kernel before 5.10): later mounts of this
   * process do without it at once.
   */
  private static volatile boolean volatileRefused;

  private final List<Path> lowers;
  private final Path upper;
  private final Path work;
  private final boolean volatileUpper;

  private OverlayMount(List<Path> lowers, Path upper, Path work, boolean volatileUpper) {
    this.lowers = lowers;
    this.upper = upper;
    this.work = work;
    this.volatileUpper = volatileUpper;
  }

  /**
   * A writable stack.
   *
   * @param lowersTopFirst read-only layer directories, the top-most (last applied) first
   * @param upper where writes land; must be on the same filesystem as {@code work}
   * @param work overlayfs's scratch directory, empty
   * @throws IllegalArgumentException when there are no lowers or too many
   */
  public static OverlayMount of(List<Path> lowersTopFirst, Path upper, Path work) {
    if (lowersTopFirst.isEmpty()) {
      throw new IllegalArgumentException("an overlay needs at least one lower directory");
    }
    if (lowersTopFirst.size() > MAX_LOWERS) {
      throw new IllegalArgumentException(
          "overlayfs stacks at most " + MAX_LOWERS + " layers, not " + lowersTopFirst.size());
    }
    return new OverlayMount(
        lowersTopFirst.stream().map(p -> p.toAbsolutePath().normalize()).toList(),
        upper.toAbsolutePath().normalize(),
        work.toAbsolutePath().normalize(),
        false);
  }

  /**
   * The same stack mounted with overlayfs's {@code volatile} option, for an upper that is thrown
   * away after its use or takes no writes worth keeping (a {@code --rm} container, a build step):
   * overlayfs then skips every sync of the upper's filesystem. Without it, the unmount syncs that
   * whole filesystem ({@code syncfs}), writing back every dirty page on it, the container's and
   * anyone else's: 0.46 s after a 50,000-file layer was extracted. podman mounts {@code --rm}
   * containers so, CRI-O every container. What a crash of the host leaves in such an upper may be
   * incomplete (overlayfs marks it with {@code work/work/incompat/volatile}, which refuses a
   * later mount on the same work directory); fsync inside it does nothing. On a kernel without
   * the option (before 5.10), the mount is made without it.
   */
  public OverlayMount volatileUpper() {
    return new OverlayMount(lowers, upper, work, true);
  }

  public List<Path> lowers() {
    return lowers;
  }

  public Path upper() {
    return upper;
  }

  public Path work() {
    return work;
  }

  /**
   * Mounts the stack on {@code target} (an existing directory).
   *
   * @throws IOException when a directory is missing, or the kernel refuses the mount (the message
   *     carries the kernel's own overlay error when it gave one)
   */
  public void mountOn(Path target) throws IOException {
    for (Path dir : lowers) {
      requireDirectory(dir, "lower directory");
    }
    requireDirectory(upper, "upper directory");
    requireDirectory(work, "work directory");
    requireDirectory(target, "mount target");
    if (volatileUpper && volatileRefused) {
      new OverlayMount(lowers, upper, work, false).mountOn(target);
      return;
    }
    try {
      mountStack(target);
    } catch (IOException refused) {
      if (!volatileUpper) {
        throw refused;
      }
      // A kernel before 5.10 refuses the unknown option (EINVAL, as for any other cause): tried
      // once more without it, and when that mounts, never again with it.
      new OverlayMount(lowers, upper, work, false).mountOn(target);
      volatileRefused = true;
    }
  }

  private void mountStack(Path target) throws IOException {
    if (fitsMountCommand(target)) {
      String options = optionString();
      if (MountCalls.mountOverlay(options, target)
          || MountCommands.mountOverlay(options, target)) {
        return;
      }
    }
    try {
      mountWithFsContext(target);
    } catch (PosixException e) {
      if (e.errno() != ENOSYS && e.errno() != EINVAL) {
        throw new IOException("cannot mount overlay on " + target + ": " + e.getMessage(), e);
      }
      // ENOSYS: no new mount API. EINVAL on lowerdir+: a kernel before 6.8. Both may still
      // take the classic option string when the stack is short enough.
      mountWithOptionString(target, e.getMessage());
    }
  }

  /**
   * Mounts the stack on {@code target} with {@code fuse-overlayfs} (Debian {@code
   * fuse-overlayfs}), the fallback where kernel overlayfs cannot be mounted in a user namespace:
   * it reads the same lowers (whiteouts as 0:0 devices, opaque directories as {@code
   * user.overlay.opaque}) and writes its upper in its own form (see {@link
   * UpperDiff#fuseOverlayfs}). Unmounted like any mount.
   *
   * @throws IOException when it is not installed or cannot mount (its own message)
   */
  public void mountWithFuseOverlayfs(Path target, Path fuseOverlayfs) throws IOException {
    requireDirectory(target, "mount target");
    StringBuilder lowerdir = new StringBuilder();
    for (Path dir : lowers) {
      requireDirectory(dir, "lower directory");
      lowerdir.append(lowerdir.length() == 0 ? "" : ":").append(checkedOption(dir));
    }
    String options = "lowerdir=" + lowerdir + ",upperdir=" + checkedOption(upper) + ",workdir="
        + checkedOption(work);
    Process p = new ProcessBuilder(fuseOverlayfs.toString(), "-o", options, target.toString())
        .redirectErrorStream(true).start();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    try {
      if (p.waitFor() != 0) {
        throw new IOException("fuse-overlayfs cannot mount on " + target + ": "
            + out.strip().replace('\n', ' '));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while mounting fuse-overlayfs", e);
    }
  }

  private boolean fitsMountCommand(Path target) {
    for (Path dir : lowers) {
      if (!MountCommands.plain(dir)) {
        return false;
      }
    }
    return MountCommands.plain(upper)
        && MountCommands.plain(work)
        && MountCommands.plain(target)
        && optionString().length() <= PAGE_LIMIT;
  }

  private void mountWithFsContext(Path target) throws PosixException {
    int fsfd = Posix.fsopen("overlay");
    try {
      for (Path dir : lowers) {
        Posix.fsconfigString(fsfd, "lowerdir+", dir.toString());
      }
      Posix.fsconfigString(fsfd, "upperdir", upper.toString());
      Posix.fsconfigString(fsfd, "workdir", work.toString());
      if (userXattrs()) {
        Posix.fsconfigFlag(fsfd, "userxattr");
      }
      if (volatileUpper) {
        Posix.fsconfigFlag(fsfd, "volatile");
      }
      Posix.fsconfigCreate(fsfd);
      int mountfd = Posix.fsmount(fsfd, 0);
      try {
        Posix.moveMount(mountfd, target);
      } finally {
        Posix.close(mountfd);
      }
    } finally {
      Posix.close(fsfd);
    }
  }

  /** The classic mount(2) path alone, for kernels without {@code lowerdir+} (and for tests). */
  void mountClassicOn(Path target) throws IOException {
    mountWithOptionString(target, "not tried");
  }

  private void mountWithOptionString(Path target, String newApiFailure)
      throws IOException {
    String options = optionString();
    if (options.length() > PAGE_LIMIT) {
      throw new IOException(
          "cannot mount "
              + lowers.size()
              + " overlay layers on this kernel: the mount options exceed one page and the new"
              + " mount API failed ("
              + newApiFailure
              + "); Linux 6.8 or later is needed for deep stacks");
    }
    try {
      Posix.mount("overlay", target, "overlay", 0, options);
    } catch (PosixException e) {
      throw new IOException("cannot mount overlay on " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * The classic {@code mount(2)} option string. overlayfs separates options with {@code ,} and
   * lowers with {@code :}, so paths holding either are refused rather than mis-split.
   *
   * @throws IllegalArgumentException when a path contains {@code ,} or {@code :}
   */
  public String optionString() {
    StringBuilder sb = new StringBuilder("lowerdir=");
    for (int i = 0; i < lowers.size(); i++) {
      if (i > 0) {
        sb.append(':');
      }
      sb.append(checkedOption(lowers.get(i)));
    }
    sb.append(",upperdir=").append(checkedOption(upper));
    sb.append(",workdir=").append(checkedOption(work));
    if (userXattrs()) {
      sb.append(",userxattr");
    }
    if (volatileUpper) {
      sb.append(",volatile");
    }
    return sb.toString();
  }

  /**
   * Whether the mount keeps its whiteouts and opaque markers in {@code user.overlay.*} xattrs:
   * in a user namespace (rootless), where {@code trusted.*} is out of reach, overlayfs needs {@code
   * userxattr}, and the layers' opaque markers are written in that form ({@link
   * dev.lamina.layerfs.tar.WhiteoutFormat#overlayHere}).
   */
  private static boolean userXattrs() {
    return Rootless.inUserNamespace();
  }

  private static String checkedOption(Path p) {
    String s = p.toString();
    if (s.indexOf(',') >= 0 || s.indexOf(':') >= 0) {
      throw new IllegalArgumentException("overlay path contains ',' or ':': " + s);
    }
    return s;
  }

  private static void requireDirectory(Path dir, String what) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(what + " is not a directory: " + dir);
    }
  }

  /**
   * Why the kernel refuses an overlay mount whose upper is in {@code scratch} (no privilege, or a
   * filesystem overlayfs refuses as upper, such as overlayfs itself), or empty when it mounts. A
   * trial mount of {@code emptyLower} in a fresh directory under {@code scratch}, which is removed.
   *
   * @throws IOException if the trial cannot be prepared or undone
   */
  public static Optional<IOException> refusal(Path scratch, Path emptyLower)
      throws IOException {
    Path probe = Files.createTempDirectory(scratch, "overlay-probe-");
    try {
      Path merged = Files.createDirectory(probe.resolve("merged"));
      OverlayMount mount =
          of(
              List.of(emptyLower),
              Files.createDirectory(probe.resolve("upper")),
              Files.createDirectory(probe.resolve("work"))).volatileUpper();
      try {
        mount.mountOn(merged);
      } catch (IOException refused) {
        return Optional.of(refused);
      }
      unmount(merged);
      return Optional.empty();
    } finally {
      Trees.deleteRecursively(probe);
    }
  }

  /**
   * Unmounts {@code target}; when it is busy (a process still has a file open there), detaches it
   * lazily so it disappears from the tree now and from the kernel when the last user goes.
   * {@code umount2(2)} through jffi, then {@code umount(8)}, are tried first, for the reason
   * {@code mount(2)} and {@code mount(8)} are.
   *
   * @throws IOException when {@code target} is not mounted or cannot be unmounted
   */
  public static void unmount(Path target) throws IOException {
    if (MountCalls.unmount(target) || MountCommands.unmount(target)) {
      return;
    }
    try {
      Posix.umount(target, 0);
    } catch (PosixException e) {
      try {
        Posix.umount(target, Posix.MNT_DETACH);
      } catch (PosixException detach) {
        throw new IOException("cannot unmount " + target + ": " + detach.getMessage(), detach);
      }
    }
  }

  /**
   * Unmounts every mount at or below {@code dir}, deepest first, and returns how many there were.
   * This is the sweep that keeps mounts from leaking after a failed start or a killed process.
   *
   * @throws IOException when one of them cannot be unmounted (the others are still tried)
   */
  public static int unmountAllUnder(Path dir) throws IOException {
    List<Path> points = MountTable.mountPointsUnder(dir);
    IOException first = null;
    for (Path p : points) {
      try {
        unmount(p);
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
    return points.size();
  }
}
