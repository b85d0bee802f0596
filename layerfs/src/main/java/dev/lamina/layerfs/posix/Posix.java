package dev.lamina.layerfs.posix;

import com.kenai.jffi.ArrayFlags;
import com.kenai.jffi.Function;
import com.kenai.jffi.HeapInvocationBuffer;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import jnr.constants.platform.Errno;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/**
 * The system calls the JDK lacks: device nodes, full mode bits, owners and times without following
 * symlinks, extended attributes in every namespace, and mounts.
 *
 * <p>Every call acts on the path itself and never follows a final symlink (the {@code l*} and
 * {@code AT_SYMLINK_NOFOLLOW} variants), because layer paths are hostile. Callers still must resolve
 * parents inside their root before calling (see {@code SafePaths}).
 */
public final class Posix {
  private static final int AT_FDCWD = -100;
  private static final int AT_SYMLINK_NOFOLLOW = 0x100;
  private static final long UTIME_OMIT = (1L << 30) - 2;
  private static final String STAT_ATTRIBUTES =
      "unix:dev,ino,mode,nlink,uid,gid,size,lastModifiedTime,ctime,rdev";

  public static final int MNT_DETACH = 2;
  public static final long MS_RDONLY = 1;
  public static final long MS_NOSUID = 2;
  public static final long MS_NODEV = 4;
  public static final long MS_NOEXEC = 8;
  public static final long MS_REMOUNT = 32;
  public static final long MS_BIND = 4096;
  public static final long MS_REC = 16384;
  public static final long MS_PRIVATE = 1 << 18;

  private static final class Holder {
    static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
  }

  /**
   * llistxattr(2) bound through jffi, for the first call of {@link #llistxattr}: binding {@link
   * LibC} through jnr-ffi generates its classes, about 0.1 s in a cold JVM, which a cached build
   * of a large context would spend before its walk lists the first directory, where it only asks
   * whether a file has any extended attributes. Null where jffi is missing.
   */
  private static final class XattrSize {
    static final Function LLISTXATTR = load();
    static final int ENOTSUP = 95;

    private static Function load() {
      try {
        return NativeFunctions.function(NativeFunctions.libc(), "llistxattr", true,
            Type.SLONG, Type.POINTER, Type.POINTER, Type.ULONG);
      } catch (LinkageError | RuntimeException e) {
        return null;
      }
    }

    /** The size of the file's list of xattr names, 0 where the filesystem keeps none; -1 else. */
    static long of(byte[] cPath) {
      if (LLISTXATTR == null) {
        return -1;
      }
      HeapInvocationBuffer args = new HeapInvocationBuffer(LLISTXATTR);
      args.putArray(cPath, 0, cPath.length, ArrayFlags.IN | ArrayFlags.PINNED);
      args.putAddress(0);
      args.putLong(0);
      long n = Invoker.getInstance().invokeLong(LLISTXATTR, args);
      return n >= 0 ? n : LastError.getInstance().get() == ENOTSUP ? 0 : -1;
    }
  }

  /**
   * The calls an extraction makes per file or directory, bound through jffi: through {@link
   * LibC}, the first of them bound the whole interface with jnr-ffi, which generates its classes
   * (about 80 ms in a cold JVM), before the first directory of a layer was made.
   */
  private static final class PerFile {
    static final Function FCHOWNAT = function("fchownat", Type.SINT, Type.SINT, Type.POINTER,
        Type.UINT, Type.UINT, Type.SINT);
    static final Function FCHMODAT = function("fchmodat", Type.SINT, Type.SINT, Type.POINTER,
        Type.UINT, Type.SINT);
    static final Function UTIMENSAT = function("utimensat", Type.SINT, Type.SINT, Type.POINTER,
        Type.POINTER, Type.SINT);
    static final Function SYMLINK = function("symlink", Type.SINT, Type.POINTER, Type.POINTER);
    static final Function MKNOD = function("mknod", Type.SINT, Type.POINTER, Type.UINT,
        Type.ULONG);
    static final Function STRERROR = function("strerror", Type.POINTER, Type.SINT);

    private static Function function(String name, Type result, Type... params) {
      return NativeFunctions.function(NativeFunctions.libc(), name, true, result, params);
    }

    /** Calls {@code f}, whose arguments {@code args} holds; its result (-1 and errno on failure). */
    static int call(Function f, HeapInvocationBuffer args) {
      return Invoker.getInstance().invokeInt(f, args);
    }

    static void path(HeapInvocationBuffer args, byte[] cPath) {
      args.putArray(cPath, 0, cPath.length, ArrayFlags.IN | ArrayFlags.PINNED);
    }
  }

  private Posix() {}

  private static LibC libc() {
    return Holder.LIBC;
  }

  private static int errno() {
    return Runtime.getRuntime(libc()).getLastError();
  }

  /** strerror(3) of {@code errno}: what a message says of it. */
  static String describe(int errno) {
    long text = Invoker.getInstance().invokeLrL(PerFile.STRERROR, errno);
    return text == 0 ? "errno " + errno
        : new String(MemoryIO.getInstance().getZeroTerminatedByteArray(text),
            StandardCharsets.UTF_8);
  }

  /** The failure of a call made through {@link PerFile}, with the errno it saved. */
  private static PosixException perFileFailure(String call, Object path) {
    int errno = LastError.getInstance().get();
    return new PosixException(call, String.valueOf(path), errno, describe(errno));
  }

  private static PosixException failure(String call, Object path) {
    int errno = errno();
    return new PosixException(call, String.valueOf(path), errno, libc().strerror(errno));
  }

  /**
   * lstat(2): never follows a final symlink. Read through the JDK's {@code unix} attribute view,
   * which costs nothing to start, unlike a native binding; the attributes are named, because
   * {@code unix:*} also looks up the owner's and group's names (two passwd/group lookups a
   * file, which a tree walk of a million files would pay a million times).
   *
   * @throws NoSuchFileException if the path does not exist
   */
  public static FileStat lstat(Path path) throws IOException {
    Map<String, Object> a = Files.readAttributes(path, STAT_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
    long rdev = (Long) a.get("rdev");
    FileTime mtime = (FileTime) a.get("lastModifiedTime");
    Instant m = mtime.toInstant();
    Instant c = ((FileTime) a.get("ctime")).toInstant();
    return new FileStat(
        (Long) a.get("dev"),
        (Long) a.get("ino"),
        (Integer) a.get("mode"),
        (Integer) a.get("nlink"),
        (Integer) a.get("uid"),
        (Integer) a.get("gid"),
        (Long) a.get("size"),
        m.getEpochSecond(),
        m.getNano(),
        major(rdev),
        minor(rdev),
        c.getEpochSecond(),
        c.getNano());
  }

  /** Linux's encoding of dev_t (glibc gnu_dev_major/minor). */
  public static int major(long dev) {
    return (int) (((dev >>> 32) & 0xfffff000L) | ((dev >>> 8) & 0xfffL));
  }

  public static int minor(long dev) {
    return (int) (((dev >>> 12) & 0xffffff00L) | (dev & 0xffL));
  }

  public static long makedev(long major, long minor) {
    return ((major & 0xfffff000L) << 32)
        | ((major & 0xfffL) << 8)
        | ((minor & 0xffffff00L) << 12)
        | (minor & 0xffL);
  }

  /**
   * symlink(2) with the target stored byte for byte: unlike {@code Files.createSymbolicLink}, the
   * text is not normalised (a trailing slash or a doubled one survives), so a layer's links are
   * reproduced exactly.
   */
  public static void symlink(String target, Path link) throws PosixException {
    HeapInvocationBuffer args = new HeapInvocationBuffer(PerFile.SYMLINK);
    PerFile.path(args, FileNames.cString(target));
    PerFile.path(args, FileNames.cString(link));
    if (PerFile.call(PerFile.SYMLINK, args) != 0) {
      throw perFileFailure("symlink", link);
    }
  }

  /**
   * readlink(2): a symlink's target, byte for byte (see {@link FileNames}), unlike {@code
   * Files.readSymbolicLink(link).toString()}, which replaces what the locale cannot decode.
   */
  public static String readlink(Path link) throws IOException {
    return FileNames.name(Files.readSymbolicLink(link));
  }

  /** mknod(2): {@code mode} includes the file type (S_IFCHR, S_IFBLK, S_IFIFO). */
  public static void mknod(Path path, int mode, int major, int minor) throws PosixException {
    HeapInvocationBuffer args = new HeapInvocationBuffer(PerFile.MKNOD);
    PerFile.path(args, FileNames.cString(path));
    args.putInt(mode);
    args.putLong(makedev(major, minor));
    if (PerFile.call(PerFile.MKNOD, args) != 0) {
      throw perFileFailure("mknod", path);
    }
  }

  /** lchown(2): changes the owner of the path itself, never a symlink's target. */
  public static void lchown(Path path, int uid, int gid) throws PosixException {
    HeapInvocationBuffer args = new HeapInvocationBuffer(PerFile.FCHOWNAT);
    args.putInt(AT_FDCWD);
    PerFile.path(args, FileNames.cString(path));
    args.putInt(uid);
    args.putInt(gid);
    args.putInt(AT_SYMLINK_NOFOLLOW);
    if (PerFile.call(PerFile.FCHOWNAT, args) != 0) {
      throw perFileFailure("lchown", path);
    }
  }

  /**
   * chmod(2) with all twelve permission bits. Refuses a symlink: chmod through a link could change
   * a file outside the root (CVE-2021-32760). fchmodat with AT_SYMLINK_NOFOLLOW (glibc 2.32+) makes
   * the refusal atomic: there is no window between a check and the change.
   */
  public static void chmod(Path path, int permissions) throws PosixException {
    HeapInvocationBuffer args = new HeapInvocationBuffer(PerFile.FCHMODAT);
    args.putInt(AT_FDCWD);
    PerFile.path(args, FileNames.cString(path));
    args.putInt(permissions & 07777);
    args.putInt(AT_SYMLINK_NOFOLLOW);
    if (PerFile.call(PerFile.FCHMODAT, args) != 0) {
      int errno = LastError.getInstance().get();
      if (errno == Errno.EOPNOTSUPP.intValue() || errno == Errno.ENOTSUP.intValue()) {
        throw new PosixException("chmod", path.toString(), errno, "is a symlink");
      }
      throw new PosixException("chmod", path.toString(), errno, describe(errno));
    }
  }

  /** Sets access and modification times of the path itself (symlinks included). */
  public static void lutimes(Path path, long mtimeSeconds, long mtimeNanos)
      throws PosixException {
    utimensat(path, new long[] {mtimeSeconds, mtimeNanos, mtimeSeconds, mtimeNanos});
  }

  private static void utimensat(Path path, long[] times) throws PosixException {
    HeapInvocationBuffer args = new HeapInvocationBuffer(PerFile.UTIMENSAT);
    args.putInt(AT_FDCWD);
    PerFile.path(args, FileNames.cString(path));
    args.putArray(times, 0, times.length, ArrayFlags.IN | ArrayFlags.PINNED);
    args.putInt(AT_SYMLINK_NOFOLLOW);
    if (PerFile.call(PerFile.UTIMENSAT, args) != 0) {
      throw perFileFailure("utimensat", path);
    }
  }

  /** Sets only the modification time, leaving atime as is. */
  public static void lsetMtime(Path path, long mtimeSeconds, long mtimeNanos)
      throws PosixException {
    utimensat(path, new long[] {0, UTIME_OMIT, mtimeSeconds, mtimeNanos});
  }

  /** lsetxattr(2) in any namespace (user., trusted., security.). */
  public static void lsetxattr(Path path, String name, byte[] value) throws PosixException {
    if (libc().lsetxattr(FileNames.cString(path), name, value, value.length, 0) != 0) {
      throw failure("lsetxattr " + name, path);
    }
  }

  /** lgetxattr(2); empty when the attribute is absent. */
  public static Optional<byte[]> lgetxattr(Path path, String name) throws PosixException {
    byte[] buf = new byte[256];
    while (true) {
      long n = libc().lgetxattr(FileNames.cString(path), name, buf, buf.length);
      if (n >= 0) {
        byte[] out = new byte[(int) n];
        System.arraycopy(buf, 0, out, 0, (int) n);
        return Optional.of(out);
      }
      int errno = errno();
      if (errno == Errno.ENODATA.intValue()) {
        return Optional.empty();
      }
      if (errno != Errno.ERANGE.intValue()) {
        throw new PosixException(
            "lgetxattr " + name, path.toString(), errno, libc().strerror(errno));
      }
      long size = libc().lgetxattr(FileNames.cString(path), name, null, 0);
      if (size < 0) {
        throw failure("lgetxattr " + name, path);
      }
      buf = new byte[(int) Math.max(size, buf.length * 2L)];
    }
  }

  /**
   * llistxattr(2): the names of every extended attribute, sorted as the kernel gives them. Asked
   * for their size first, with no buffer: most files have none, and then that one call, with
   * nothing copied back, is all (a tree walk makes it for every file).
   */
  public static List<String> llistxattr(Path path) throws PosixException {
    byte[] cPath = FileNames.cString(path);
    if (XattrSize.of(cPath) == 0) {
      return List.of();
    }
    byte[] buf = null;
    long n;
    while (true) {
      n = libc().llistxattr(cPath, buf, buf == null ? 0 : buf.length);
      if (n == 0) {
        return List.of();
      }
      if (n > 0 && buf != null) {
        break;
      }
      if (n > 0) {
        buf = new byte[(int) n];
        continue;
      }
      int errno = errno();
      if (errno == Errno.ENOTSUP.intValue()) {
        return List.of();
      }
      if (errno != Errno.ERANGE.intValue()) {
        throw new PosixException("llistxattr", path.toString(), errno, libc().strerror(errno));
      }
      buf = null; // grew meanwhile: ask for the size again
    }
    List<String> names = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < n; i++) {
      if (buf[i] == 0) {
        if (i > start) {
          names.add(new String(buf, start, i - start, StandardCharsets.UTF_8));
        }
        start = i + 1;
      }
    }
    return names;
  }

  /** lremovexattr(2); absent attributes are not an error. */
  public static void lremovexattr(Path path, String name) throws PosixException {
    if (libc().lremovexattr(FileNames.cString(path), name) != 0) {
      int errno = errno();
      if (errno != Errno.ENODATA.intValue()) {
        throw new PosixException(
            "lremovexattr " + name, path.toString(), errno, libc().strerror(errno));
      }
    }
  }

  /** mount(2). */
  public static void mount(String source, Path target, String fstype, long flags, String data)
      throws PosixException {
    if (libc().mount(source, FileNames.cString(target), fstype, flags, data) != 0) {
      throw failure("mount " + fstype, target);
    }
  }

  /** umount2(2). */
  public static void umount(Path target, int flags) throws PosixException {
    if (libc().umount2(FileNames.cString(target), flags) != 0) {
      throw failure("umount", target);
    }
  }

  // x86_64 system call numbers of the new mount API (Linux 5.2+); other architectures share them
  // (they were allocated in the common range), except alpha/ia64 which Lamina does not run on.
  private static final long SYS_MOVE_MOUNT = 429;
  private static final long SYS_FSOPEN = 430;
  private static final long SYS_FSCONFIG = 431;
  private static final long SYS_FSMOUNT = 432;
  private static final int FSOPEN_CLOEXEC = 1;
  private static final int FSMOUNT_CLOEXEC = 1;
  private static final int FSCONFIG_SET_FLAG = 0;
  private static final int FSCONFIG_SET_STRING = 1;
  private static final int FSCONFIG_CMD_CREATE = 6;
  private static final int MOVE_MOUNT_F_EMPTY_PATH = 0x4;

  /**
   * fsopen(2): a filesystem context for {@code fsname}, to be configured with {@link
   * #fsconfigString} and turned into a mount with {@link #fsmount}. Close the returned fd.
   *
   * @throws PosixException ENOSYS on kernels before 5.2, ENODEV when the filesystem is unknown
   */
  public static int fsopen(String fsname) throws PosixException {
    long fd = libc().syscall(SYS_FSOPEN, fsname, FSOPEN_CLOEXEC);
    if (fd < 0) {
      throw failure("fsopen", fsname);
    }
    return (int) fd;
  }

  /**
   * fsconfig(2) FSCONFIG_SET_STRING: one key=value option, with no escaping or length limit.
   *
   * @throws PosixException with the kernel's own message from the context log, when it left one
   */
  public static void fsconfigString(int fsfd, String key, String value) throws PosixException {
    if (libc().syscall(SYS_FSCONFIG, fsfd, FSCONFIG_SET_STRING, key, value, 0) < 0) {
      throw failureWithLog("fsconfig " + key, value, fsfd);
    }
  }

  /** fsconfig(2) FSCONFIG_SET_FLAG: an option without a value ({@code userxattr}). */
  public static void fsconfigFlag(int fsfd, String key) throws PosixException {
    if (libc().syscall(SYS_FSCONFIG, fsfd, FSCONFIG_SET_FLAG, key, null, 0) < 0) {
      throw failureWithLog("fsconfig " + key, "", fsfd);
    }
  }

  /** fsconfig(2) FSCONFIG_CMD_CREATE: creates the superblock from the options set so far. */
  public static void fsconfigCreate(int fsfd) throws PosixException {
    if (libc().syscall(SYS_FSCONFIG, fsfd, FSCONFIG_CMD_CREATE, null, null, 0) < 0) {
      throw failureWithLog("fsconfig create", "", fsfd);
    }
  }

  /** fsmount(2): a detached mount of the created context; {@code attrFlags} are MOUNT_ATTR_*. */
  public static int fsmount(int fsfd, int attrFlags) throws PosixException {
    long fd = libc().syscall(SYS_FSMOUNT, fsfd, FSMOUNT_CLOEXEC, attrFlags);
    if (fd < 0) {
      throw failureWithLog("fsmount", "", fsfd);
    }
    return (int) fd;
  }

  /** move_mount(2): attaches the detached mount {@code mountfd} on {@code target}. */
  public static void moveMount(int mountfd, Path target) throws PosixException {
    if (libc().syscall(SYS_MOVE_MOUNT, mountfd, "", AT_FDCWD, FileNames.cString(target),
            MOVE_MOUNT_F_EMPTY_PATH)
        < 0) {
      throw failure("move_mount", target);
    }
  }

  /** close(2); errors are ignored, as after a close nothing useful can be done. */
  public static void close(int fd) {
    libc().close(fd);
  }

  private static PosixException failureWithLog(String call, String what, int fsfd) {
    int errno = errno();
    String log = readFsLog(fsfd);
    String message = libc().strerror(errno) + (log.isEmpty() ? "" : " [" + log + "]");
    return new PosixException(call, what, errno, message);
  }

  /** The messages the kernel queued on a filesystem context fd ("e overlay: ..."), joined. */
  private static String readFsLog(int fsfd) {
    StringBuilder out = new StringBuilder();
    byte[] buf = new byte[1024];
    for (int i = 0; i < 16; i++) {
      long n = libc().read(fsfd, buf, buf.length);
      if (n <= 0) {
        break;
      }
      if (out.length() > 0) {
        out.append("; ");
      }
      out.append(new String(buf, 0, (int) n, StandardCharsets.UTF_8).strip());
    }
    return out.toString();
  }

  /** The calling process's effective uid. */
  public static int geteuid() {
    // /proc/self belongs to the process's effective uid.
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * execve(2): replaces this process (the JVM and all its threads) with {@code path}, given
   * {@code argv} and {@code env} as bytes, so that arguments that are not valid in the locale's
   * charset pass unchanged. Returns only by throwing.
   *
   * @throws PosixException when the kernel refuses to run it
   */
  public static void execve(Path path, List<byte[]> argv, List<byte[]> env) throws PosixException {
    jnr.ffi.Runtime rt = Runtime.getRuntime(libc());
    List<jnr.ffi.Pointer> keep = new ArrayList<>();
    jnr.ffi.Pointer args = cStrings(rt, argv, keep);
    jnr.ffi.Pointer envp = cStrings(rt, env, keep);
    libc().execve(FileNames.cString(path), args, envp);
    throw failure("execve", path);
  }

  private static jnr.ffi.Pointer cStrings(
      jnr.ffi.Runtime rt, List<byte[]> strings, List<jnr.ffi.Pointer> keep) {
    int size = rt.addressSize();
    jnr.ffi.Pointer array = jnr.ffi.Memory.allocateDirect(rt, (strings.size() + 1) * size, true);
    keep.add(array);
    for (int i = 0; i < strings.size(); i++) {
      byte[] b = strings.get(i);
      jnr.ffi.Pointer s = jnr.ffi.Memory.allocateDirect(rt, b.length + 1, true);
      s.put(0, b, 0, b.length);
      keep.add(s);
      array.putPointer((long) i * size, s);
    }
    return array;
  }
}
