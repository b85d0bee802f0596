package dev.lamina.layerfs.posix;

import com.kenai.jffi.Function;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * A directory an extraction creates regular files and directories in, held open: each is
 * created by its name relative to the directory, (a file) written, and given its owner, mode and
 * (a file) times through its own descriptor ({@code fchown}, {@code fchmod}, {@code futimens}), as GNU tar does. By path, each
 * call makes the kernel look up every component of the path again, and a {@code chmod} that must
 * not follow a symlink is four calls in glibc (an {@code O_PATH} open, a stat, a chmod through
 * {@code /proc/self/fd}, a close): a small file cost twelve system calls, by descriptor it costs
 * six.
 *
 * <p>Why it is safe with a hostile layer: the directory is opened with {@code O_NOFOLLOW} (the
 * caller passes a directory resolved inside its root, with no symlink in it), and a file is
 * created only where nothing is: {@code O_CREAT|O_EXCL} never opens what is already at the name,
 * a symlink included ({@link #create} then returns null and the caller replaces it its own way).
 * The metadata calls change the file just created through its descriptor, whatever happens to
 * its name.
 *
 * <p>Where the native calls cannot be made (no jffi, an architecture not known here), {@link
 * #open} returns null and the caller works by path.
 */
public final class TargetDirectory implements AutoCloseable {
  private static final Calls CALLS = Calls.load();
  private static final int EINTR = 4;
  private static final int EEXIST = 17;
  private static final int AT_SYMLINK_NOFOLLOW = 0x100;
  private static final int NAME_MAX = 255;
  private static final int SPACE = 256 * 1024;
  /** A thread's native memory: a name with its NUL, then room for what a write hands over. */
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::allocate);

  private final Path path;
  private int fd;

  private TargetDirectory(Path path, int fd) {
    this.path = path;
    this.fd = fd;
  }

  private record Scratch(ByteBuffer buffer, long address) {
    static Scratch allocate() {
      ByteBuffer b = ByteBuffer.allocateDirect(NAME_MAX + 1 + SPACE).order(ByteOrder.nativeOrder());
      return new Scratch(b, MemoryIO.getInstance().getDirectBufferAddress(b));
    }

    long data() {
      return address + NAME_MAX + 1;
    }
  }

  /** The native functions and the open flags of this architecture, or null. */
  private record Calls(Function open, Function openat, Function mkdirat, Function symlinkat,
      Function fchownat, Function utimensat, Function write, Function fchown, Function fchmod,
      Function futimens, Function close, int directoryFlags, int fileFlags) {
    static Calls load() {
      OpenFlags flags = OpenFlags.here();
      if (flags == null) {
        return null;
      }
      try {
        Library libc = NativeFunctions.libc();
        return new Calls(
            NativeFunctions.function(libc, "open", true, Type.SINT, Type.POINTER, Type.SINT),
            NativeFunctions.function(libc, "openat", true, Type.SINT, Type.SINT, Type.POINTER,
                Type.SINT, Type.UINT),
            NativeFunctions.function(libc, "mkdirat", true, Type.SINT, Type.SINT, Type.POINTER,
                Type.UINT),
            NativeFunctions.function(libc, "symlinkat", true, Type.SINT, Type.POINTER,
                Type.SINT, Type.POINTER),
            NativeFunctions.function(libc, "fchownat", true, Type.SINT, Type.SINT, Type.POINTER,
                Type.UINT, Type.UINT, Type.SINT),
            NativeFunctions.function(libc, "utimensat", true, Type.SINT, Type.SINT,
                Type.POINTER, Type.POINTER, Type.SINT),
            NativeFunctions.function(libc, "write", true, Type.SLONG, Type.SINT, Type.POINTER,
                Type.ULONG),
            NativeFunctions.function(libc, "fchown", true, Type.SINT, Type.SINT, Type.UINT,
                Type.UINT),
            NativeFunctions.function(libc, "fchmod", true, Type.SINT, Type.SINT, Type.UINT),
            NativeFunctions.function(libc, "futimens", true, Type.SINT, Type.SINT, Type.POINTER),
            NativeFunctions.function(libc, "close", true, Type.SINT, Type.SINT),
            flags.directory() | flags.noFollow() | OpenFlags.CLOEXEC,
            OpenFlags.WRONLY | OpenFlags.CREAT | OpenFlags.EXCL | OpenFlags.NOCTTY
                | flags.noFollow() | OpenFlags.CLOEXEC);
      } catch (LinkageError | RuntimeException e) {
        return null;
      }
    }
  }

  /**
   * Opens {@code dir}, not following it if it is a symlink.
   *
   * @return the directory, or null where files cannot be created this way here
   * @throws IOException if it cannot be opened (missing, not a directory, a symlink)
   */
  public static TargetDirectory open(Path dir) throws IOException {
    if (CALLS == null) {
      return null;
    }
    byte[] cPath = FileNames.cString(dir);
    long p = NativeFunctions.copyToNative(cPath);
    try {
      int fd = (int) Invoker.getInstance().invokeLLrL(CALLS.open(), p, CALLS.directoryFlags());
      if (fd < 0) {
        throw failure("open", dir, LastError.getInstance().get());
      }
      return new TargetDirectory(dir, fd);
    } finally {
      MemoryIO.getInstance().freeMemory(p);
    }
  }

  /** The path this directory was opened by. */
  public Path path() {
    return path;
  }

  /**
   * Creates the regular file {@code cName} (its bytes with a NUL) with mode 0600, for writing.
   *
   * @param file its path, for messages
   * @return the file, or null if something is at that name already (nothing was changed)
   * @throws IOException if it cannot be created
   */
  public NewFile create(byte[] cName, Path file) throws IOException {
    Scratch s = named(cName, "openat", file);
    int created = (int) Invoker.getInstance().invokeLLLLrL(CALLS.openat(), fd, s.address(),
        CALLS.fileFlags(), 0600);
    if (created < 0) {
      int errno = LastError.getInstance().get();
      if (errno == EEXIST) {
        return null;
      }
      throw failure("openat", file, errno);
    }
    return new NewFile(created, file);
  }

  /**
   * Makes the directory {@code cName} (its bytes with a NUL) with mode 0700 and opens it, not
   * following a symlink, for its own metadata and for the files to be created in it.
   *
   * @param dir its path, for messages
   * @return the new directory, open; or null if something is at that name already (nothing was
   *     changed)
   * @throws IOException if it cannot be made or opened
   */
  public TargetDirectory makeDirectory(byte[] cName, Path dir) throws IOException {
    Scratch s = named(cName, "mkdirat", dir);
    Invoker invoker = Invoker.getInstance();
    if (invoker.invokeLLLrL(CALLS.mkdirat(), fd, s.address(), 0700) != 0) {
      int errno = LastError.getInstance().get();
      if (errno == EEXIST) {
        return null;
      }
      throw failure("mkdirat", dir, errno);
    }
    // Opened by name from this directory, without following: the directory just made, or a
    // failure, never what a symlink put in its place would lead to.
    int made = (int) invoker.invokeLLLLrL(CALLS.openat(), fd, s.address(),
        CALLS.directoryFlags(), 0);
    if (made < 0) {
      throw failure("openat", dir, LastError.getInstance().get());
    }
    return new TargetDirectory(dir, made);
  }

  /**
   * Makes the symlink {@code cName} (its bytes with a NUL) to {@code cTarget} (likewise), the
   * target stored byte for byte.
   *
   * @param link its path, for messages
   * @return false if something is at that name already (nothing was changed)
   * @throws IOException if it cannot be made
   */
  public boolean symlink(byte[] cTarget, byte[] cName, Path link) throws IOException {
    Scratch s = named(cName, "symlinkat", link);
    long target = NativeFunctions.copyToNative(cTarget);
    try {
      if (Invoker.getInstance().invokeLLLrL(CALLS.symlinkat(), target, fd, s.address()) != 0) {
        int errno = LastError.getInstance().get();
        if (errno == EEXIST) {
          return false;
        }
        throw failure("symlinkat", link, errno);
      }
    } finally {
      MemoryIO.getInstance().freeMemory(target);
    }
    return true;
  }

  /**
   * Gives the child {@code cName} itself, a symlink say, an owner: never follows it.
   *
   * @throws PosixException if the owner cannot be given (its errno says why)
   */
  public void lchown(byte[] cName, Path child, int uid, int gid) throws IOException {
    Scratch s = named(cName, "lchown", child);
    if (Invoker.getInstance().invokeLLLLLrL(CALLS.fchownat(), fd, s.address(),
        uid & 0xffffffffL, gid & 0xffffffffL, AT_SYMLINK_NOFOLLOW) != 0) {
      throw failure("lchown", child, LastError.getInstance().get());
    }
  }

  /** Sets the access and modification times of the child {@code cName} itself, never following it. */
  public void setTimes(byte[] cName, Path child, long seconds, long nanos) throws IOException {
    Scratch s = named(cName, "utimensat", child);
    // struct timespec times[2], where a write's data goes (after the name): atime, then mtime.
    int at = NAME_MAX + 1;
    s.buffer().putLong(at, seconds).putLong(at + 8, nanos).putLong(at + 16, seconds)
        .putLong(at + 24, nanos);
    if (Invoker.getInstance().invokeLLLLrL(CALLS.utimensat(), fd, s.address(), s.address() + at,
        AT_SYMLINK_NOFOLLOW) != 0) {
      throw failure("utimensat", child, LastError.getInstance().get());
    }
  }

  /** The thread's scratch memory with {@code cName} at its start. */
  private Scratch named(byte[] cName, String call, Path child) throws IOException {
    if (fd < 0) {
      throw new IOException("directory closed: " + path);
    }
    if (cName.length > NAME_MAX + 1) {
      throw new PosixException(call, child.toString(), 36, "File name too long");
    }
    Scratch s = SCRATCH.get();
    s.buffer().put(0, cName);
    return s;
  }

  /**
   * fchown(2) of this directory.
   *
   * @throws PosixException if the owner cannot be given (its errno says why)
   */
  public void chown(int uid, int gid) throws PosixException {
    if (Invoker.getInstance().invokeIIIrI(CALLS.fchown(), fd, uid, gid) != 0) {
      throw failure("fchown", path, LastError.getInstance().get());
    }
  }

  /** fchmod(2) of this directory, with all twelve permission bits. */
  public void chmod(int mode) throws PosixException {
    if (Invoker.getInstance().invokeIIrI(CALLS.fchmod(), fd, mode & 07777) != 0) {
      throw failure("fchmod", path, LastError.getInstance().get());
    }
  }

  /** Closes the descriptor; files created from it stay open until closed themselves. */
  @Override
  public void close() {
    if (fd >= 0) {
      Invoker.getInstance().invokeIrI(CALLS.close(), fd);
      fd = -1;
    }
  }

  /** A regular file just created: written, then given its metadata, then closed. */
  public static final class NewFile implements AutoCloseable {
    private final Path file;
    private int fd;

    private NewFile(int fd, Path file) {
      this.fd = fd;
      this.file = file;
    }

    /** Its path, for messages. */
    public Path path() {
      return file;
    }

    /** Hands its descriptor to the caller, who closes it; {@link #close} then does nothing. */
    int release() {
      int released = fd;
      fd = -1;
      return released;
    }

    /** Writes {@code len} bytes of {@code b} from {@code off}, all of them. */
    public void write(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      Scratch s = SCRATCH.get();
      MemoryIO memory = MemoryIO.getInstance();
      while (len > 0) {
        int chunk = Math.min(len, SPACE);
        memory.putByteArray(s.data(), b, off, chunk);
        writeAll(fd, s.data(), chunk, file);
        off += chunk;
        len -= chunk;
      }
    }

    /**
     * fchown(2).
     *
     * @throws PosixException if the owner cannot be given (its errno says why)
     */
    public void chown(int uid, int gid) throws PosixException {
      fchown(fd, uid, gid, file);
    }

    /** fchmod(2) with all twelve permission bits. */
    public void chmod(int mode) throws PosixException {
      fchmod(fd, mode, file);
    }

    /** Sets both the access and the modification time. */
    public void setTimes(long seconds, long nanos) throws PosixException {
      Scratch s = SCRATCH.get();
      // struct timespec times[2]: atime, then mtime.
      ByteBuffer b = s.buffer();
      b.putLong(0, seconds).putLong(8, nanos).putLong(16, seconds).putLong(24, nanos);
      futimens(fd, s.address(), file);
    }

    /** Closes the file; a failure (a delayed write error) is reported. */
    @Override
    public void close() throws PosixException {
      if (fd >= 0) {
        int open = fd;
        fd = -1;
        TargetDirectory.close(open, file);
      }
    }
  }

  // ---- calls on a file's descriptor (its creator's thread, or FileWriteBehind's) -------------

  /** Whether files can be created and finished by descriptor here. */
  static boolean nativeCalls() {
    return CALLS != null;
  }

  /** Writes {@code len} bytes at the native {@code address} to {@code fd}, all of them. */
  static void writeAll(int fd, long address, int len, Path file) throws PosixException {
    Invoker invoker = Invoker.getInstance();
    for (int done = 0; done < len; ) {
      long n = invoker.invokeLLLrL(CALLS.write(), fd, address + done, len - done);
      if (n < 0) {
        int errno = LastError.getInstance().get();
        if (errno == EINTR) {
          continue;
        }
        throw failure("write", file, errno);
      }
      done += (int) n;
    }
  }

  static void fchown(int fd, int uid, int gid, Path file) throws PosixException {
    if (Invoker.getInstance().invokeIIIrI(CALLS.fchown(), fd, uid, gid) != 0) {
      throw failure("fchown", file, LastError.getInstance().get());
    }
  }

  static void fchmod(int fd, int mode, Path file) throws PosixException {
    if (Invoker.getInstance().invokeIIrI(CALLS.fchmod(), fd, mode & 07777) != 0) {
      throw failure("fchmod", file, LastError.getInstance().get());
    }
  }

  /** futimens(2) with the two timespecs at the native {@code times}. */
  static void futimens(int fd, long times, Path file) throws PosixException {
    if (Invoker.getInstance().invokeLLrL(CALLS.futimens(), fd, times) != 0) {
      throw failure("futimens", file, LastError.getInstance().get());
    }
  }

  /** close(2); a failure (a delayed write error) is reported, the descriptor is gone either way. */
  static void close(int fd, Path file) throws PosixException {
    if (Invoker.getInstance().invokeIrI(CALLS.close(), fd) != 0) {
      throw failure("close", file, LastError.getInstance().get());
    }
  }

  private static PosixException failure(String call, Path path, int errno) {
    return new PosixException(call, path.toString(), errno, Posix.describe(errno));
  }
}
