package dev.lamina.layerfs.posix;

import com.kenai.jffi.Function;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import java.io.IOException;
import java.io.InputStream;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A directory of a tree walk, held open: its children are listed ({@code getdents64}), stat'ed
 * ({@code statx}), asked for extended attributes ({@code listxattrat}) and read ({@code openat})
 * by name relative to it, and its subdirectories opened relative to it, as {@code find} and GNU
 * tar walk. A system call given a full path makes the kernel look up every component of it again
 * for each file: in a cold build of a million files that was a fifth of the walk's system time,
 * and building a path string and a {@code Path} for each file cost as much again in Java.
 *
 * <p>Why it is safe with a hostile context: a subdirectory is opened with {@code O_NOFOLLOW} from
 * the directory that listed it, and files are opened by their own name from it, also without
 * following a symlink. A directory swapped for a symlink during the walk is refused ({@link
 * NotDirectoryException}), never followed out of the tree; only the walk's root is opened by path.
 *
 * <p>The handle is counted: {@link #retain} for each holder, {@link #close} by each; the
 * descriptor is closed by the last. A handle its holders dropped without closing is closed once
 * the garbage collector finds it unreachable. Where the native calls cannot be made (no jffi, an
 * architecture not known here), the same methods work by path through the JDK.
 */
public final class OpenDirectory implements AutoCloseable {
  private static final Calls CALLS = Calls.load();
  private static final int EPERM = 1;
  private static final int ENOENT = 2;
  private static final int EINTR = 4;
  private static final int EACCES = 13;
  private static final int ENOTDIR = 20;
  private static final int ELOOP = 40;
  private static final int ENOSYS = 38;
  private static final int ENOTSUP = 95;
  private static final int LISTXATTRAT = 465;
  private static final int NAME_SPACE = 4096;
  private static final int LISTING_SPACE = 32 * 1024;
  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::allocate);

  private static final class CleanerHolder {
    static final Cleaner CLEANER = Cleaner.create();
  }

  private final Path path;
  private final Descriptor descriptor;
  private final Cleaner.Cleanable cleanable;

  private OpenDirectory(Path path, int fd) {
    this.path = path;
    this.descriptor = new Descriptor(fd);
    this.cleanable = fd >= 0 ? CleanerHolder.CLEANER.register(this, descriptor) : null;
  }

  /**
   * A thread's native memory for the calls: a name with its NUL (up to {@link #NAME_SPACE}
   * bytes), then room for a listing. Passing addresses makes a call allocate nothing.
   */
  private record Scratch(ByteBuffer buffer, long address) {
    static Scratch allocate() {
      ByteBuffer b = ByteBuffer.allocateDirect(NAME_SPACE + LISTING_SPACE)
          .order(java.nio.ByteOrder.nativeOrder());
      return new Scratch(b, MemoryIO.getInstance().getDirectBufferAddress(b));
    }

    /** Puts {@code cName} at the start; false if it does not fit. */
    boolean putName(byte[] cName) {
      if (cName.length > NAME_SPACE) {
        return false;
      }
      buffer.put(0, cName);
      return true;
    }
  }

  /** The native functions, or null where they are not called here. */
  private record Calls(Function open, Function openat, Function close, Function read,
      Function getdents, Function syscall, int directoryFlags, int noFollow, int fileFlags) {
    static Calls load() {
      OpenFlags flags = OpenFlags.here();
      if (flags == null) {
        return null;
      }
      try {
        Library libc = NativeFunctions.libc();
        int rdonly = 0;
        return new Calls(
            NativeFunctions.function(libc, "open", true, Type.SINT, Type.POINTER, Type.SINT),
            NativeFunctions.function(
                libc, "openat", true, Type.SINT, Type.SINT, Type.POINTER, Type.SINT),
            NativeFunctions.function(libc, "close", false, Type.SINT, Type.SINT),
            NativeFunctions.function(
                libc, "read", true, Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG),
            NativeFunctions.function(
                libc, "getdents64", true, Type.SLONG, Type.SINT, Type.POINTER, Type.ULONG),
            NativeFunctions.function(libc, "syscall", true, Type.SLONG,
                Type.SLONG, Type.SLONG, Type.SLONG, Type.SLONG, Type.SLONG, Type.SLONG),
            rdonly | flags.directory() | OpenFlags.CLOEXEC,
            flags.noFollow(),
            // A FIFO swapped in for a file after it was stat'ed must not hang the reader.
            rdonly | OpenFlags.NOCTTY | OpenFlags.NONBLOCK | OpenFlags.CLOEXEC
                | flags.noFollow());
      } catch (LinkageError | RuntimeException e) {
        return null;
      }
    }
  }

  /** Whether the walk's calls are made natively here (else through the JDK, by path). */
  static boolean isNative() {
    return CALLS != null;
  }

  /** listxattrat(2) is tried until the kernel says it has none (before Linux 6.13). */
  private static volatile boolean listxattrat = true;

  /**
   * Opens the directory {@code dir} (a symlink to one is followed: it is the root of a walk).
   *
   * @throws NoSuchFileException if it does not exist
   * @throws NotDirectoryException if it is not a directory
   * @throws IOException if it cannot be opened
   */
  public static OpenDirectory open(Path dir) throws IOException {
    if (CALLS == null) {
      if (!Files.isDirectory(dir)) {
        throw Files.exists(dir) ? new NotDirectoryException(dir.toString())
            : new NoSuchFileException(dir.toString());
      }
      return new OpenDirectory(dir, -1);
    }
    Scratch s = SCRATCH.get();
    byte[] cPath = FileNames.cString(dir);
    if (!s.putName(cPath)) {
      throw new PosixException("open", dir.toString(), 36, "file name too long");
    }
    int fd = (int) Invoker.getInstance().invokeLLrL(CALLS.open(), s.address(),
        CALLS.directoryFlags());
    if (fd < 0) {
      int errno = LastError.getInstance().get();
      throw errno == ENOTDIR ? new NotDirectoryException(dir.toString())
          : failure("open", dir, errno);
    }
    return new OpenDirectory(dir, fd);
  }

  /** The path this directory was reached by (for messages, and where calls go by path). */
  public Path path() {
    return path;
  }

  /**
   * The child directory {@code name} ({@code cName}: its bytes with a NUL, as {@link #list} gives
   * them), opened relative to this one without following a symlink.
   *
   * @throws NotDirectoryException if it is no longer a directory (a symlink swapped in included)
   * @throws NoSuchFileException if it is gone
   * @throws IOException if it cannot be opened
   */
  public OpenDirectory openDirectory(String name, byte[] cName) throws IOException {
    Path child = FileNames.resolve(path, name);
    int fd = descriptor.fd;
    if (fd < 0) {
      if (!Posix.lstat(child).isDirectory()) {
        throw new NotDirectoryException(child + " (changed during the walk)");
      }
      return new OpenDirectory(child, -1);
    }
    Scratch s = SCRATCH.get();
    if (!s.putName(cName)) {
      throw new PosixException("openat", child.toString(), 36, "file name too long");
    }
    int childFd = (int) Invoker.getInstance().invokeLLLrL(CALLS.openat(), fd, s.address(),
        CALLS.directoryFlags() | CALLS.noFollow());
    Reference.reachabilityFence(this);
    if (childFd < 0) {
      throw failure("openat", child, LastError.getInstance().get());
    }
    return new OpenDirectory(child, childFd);
  }

  /**
   * The names of this directory's children ({@code .} and {@code ..} left out), each as its
   * bytes followed by a NUL, in the order the filesystem gives them.
   *
   * @throws IOException if it cannot be read
   */
  public List<byte[]> list() throws IOException {
    int fd = descriptor.fd;
    List<byte[]> names = new ArrayList<>();
    if (fd < 0) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
        for (Path p : entries) {
          byte[] b = FileNames.bytes(p.getFileName());
          names.add(Arrays.copyOf(b, b.length + 1));
        }
      }
      return names;
    }
    Scratch s = SCRATCH.get();
    ByteBuffer buf = s.buffer();
    long listing = s.address() + NAME_SPACE;
    Invoker invoker = Invoker.getInstance();
    while (true) {
      long n = invoker.invokeLLLrL(CALLS.getdents(), fd, listing, LISTING_SPACE);
      if (n < 0) {
        throw failure("getdents64", path, LastError.getInstance().get());
      }
      if (n == 0) {
        break;
      }
      // struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type, char d_name[]
      for (int off = 0; off < n; ) {
        int at = NAME_SPACE + off;
        int reclen = Short.toUnsignedInt(buf.getShort(at + 16));
        int nameAt = at + 19;
        int end = nameAt;
        while (buf.get(end) != 0) {
          end++;
        }
        int length = end - nameAt;
        if (!(length == 1 && buf.get(nameAt) == '.')
            && !(length == 2 && buf.get(nameAt) == '.' && buf.get(nameAt + 1) == '.')) {
          byte[] cName = new byte[length + 1];
          buf.get(nameAt, cName, 0, length);
          names.add(cName);
        }
        off += reclen;
      }
    }
    Reference.reachabilityFence(this);
    return names;
  }

  /**
   * lstat(2) of the child {@code name} ({@code cName} its bytes with a NUL): never follows a
   * final symlink.
   *
   * @throws NoSuchFileException if it does not exist
   * @throws IOException if it cannot be stat'ed
   */
  public FileStat lstat(String name, byte[] cName) throws IOException {
    int fd = descriptor.fd;
    FileStat st = fd < 0 ? null : Statx.lstatAt(fd, cName, path, name);
    Reference.reachabilityFence(this);
    return st != null ? st : Posix.lstat(FileNames.resolve(path, name));
  }

  /**
   * Whether the child {@code cName} has no extended attributes at all (not following a final
   * symlink): true only when the kernel says its list of names is empty, or that its filesystem
   * keeps none; false when it has some, or where this cannot be asked relative to the directory
   * ({@code listxattrat(2)}, Linux 6.13), which the caller then asks by path ({@link
   * Posix#llistxattr}).
   */
  public boolean hasNoXattrs(byte[] cName) {
    int fd = descriptor.fd;
    if (fd < 0 || !listxattrat) {
      return false;
    }
    Scratch s = SCRATCH.get();
    if (!s.putName(cName)) {
      return false;
    }
    // listxattrat(dirfd, name, AT_SYMLINK_NOFOLLOW, NULL, 0): the size of the list, none copied.
    // (glibc has no wrapper yet; its number is the same on every architecture.)
    long rc = Invoker.getInstance().invokeLLLLLLrL(CALLS.syscall(), LISTXATTRAT, fd, s.address(),
        0x100, 0, 0);
    Reference.reachabilityFence(this);
    if (rc == 0) {
      return true;
    }
    if (rc < 0) {
      int errno = LastError.getInstance().get();
      if (errno == ENOSYS) {
        listxattrat = false; // an older kernel: by path from now on
      }
      return errno == ENOTSUP;
    }
    return false;
  }

  /**
   * Reads the child {@code cName}, opened without following a symlink and without blocking, into
   * {@code direct} from its position up to its limit, stopping once at least {@code enough}
   * bytes are in or at the end of the file.
   *
   * @return the position after the read, or -1 if the file could not be opened or read here (the
   *     caller reads it the ordinary way, which reports why)
   */
  public int read(byte[] cName, ByteBuffer direct, int enough) {
    int fd = descriptor.fd;
    if (fd < 0 || !direct.isDirect()) {
      return -1;
    }
    Scratch s = SCRATCH.get();
    if (!s.putName(cName)) {
      return -1;
    }
    Invoker invoker = Invoker.getInstance();
    int file = (int) invoker.invokeLLLrL(CALLS.openat(), fd, s.address(), CALLS.fileFlags());
    Reference.reachabilityFence(this);
    if (file < 0) {
      return -1;
    }
    try {
      long address = MemoryIO.getInstance().getDirectBufferAddress(direct);
      int pos = direct.position();
      while (pos < enough && pos < direct.limit()) {
        long n = invoker.invokeLLLrL(CALLS.read(), file, address + pos, direct.limit() - pos);
        if (n < 0) {
          return -1;
        }
        if (n == 0) {
          break;
        }
        pos += (int) n;
      }
      direct.position(pos);
      return pos;
    } finally {
      invoker.invokeLrL(CALLS.close(), file);
      Reference.reachabilityFence(direct);
    }
  }

  /**
   * The child {@code cName} (its bytes with a NUL) as a stream, opened relative to this directory
   * without following a symlink and without blocking: a file whose directory was swapped for a
   * symlink since the walk listed it is still read from the directory listed (or not found, if
   * that was deleted), never through the symlink. {@code file} is its path, for messages, and
   * where it is opened by path (where the native calls are not made, or the name is too long).
   *
   * @throws NoSuchFileException if it is gone
   * @throws FileSystemException if it is a symlink now
   * @throws IOException if it cannot be opened
   */
  public InputStream openFile(byte[] cName, Path file) throws IOException {
    int fd = descriptor.fd;
    Scratch s = SCRATCH.get();
    if (fd < 0 || !s.putName(cName)) {
      return Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS);
    }
    int opened = (int) Invoker.getInstance().invokeLLLrL(CALLS.openat(), fd, s.address(),
        CALLS.fileFlags());
    Reference.reachabilityFence(this);
    if (opened < 0) {
      int errno = LastError.getInstance().get();
      throw errno == ELOOP
          ? new FileSystemException(file.toString(), null, "a symlink (changed during the walk)")
          : failure("openat", file, errno);
    }
    return new FileInput(opened, file);
  }

  /**
   * A file opened by {@link #openFile}, read with {@code read(2)} into the reading thread's
   * buffer and copied out from there, as the JDK's own streams read.
   */
  private static final class FileInput extends InputStream {
    private static final int SPACE = 256 * 1024;
    private static final ThreadLocal<Scratch> BUFFER = ThreadLocal.withInitial(() -> {
      ByteBuffer b = ByteBuffer.allocateDirect(SPACE);
      return new Scratch(b, MemoryIO.getInstance().getDirectBufferAddress(b));
    });

    private final Path file;
    private int fd;

    FileInput(int fd, Path file) {
      this.fd = fd;
      this.file = file;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : Byte.toUnsignedInt(one[0]);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      java.util.Objects.checkFromIndexSize(off, len, b.length);
      if (fd < 0) {
        throw new IOException("stream closed: " + file);
      }
      if (len == 0) {
        return 0;
      }
      Scratch s = BUFFER.get();
      long n;
      do {
        n = Invoker.getInstance().invokeLLLrL(CALLS.read(), fd, s.address(),
            Math.min(len, SPACE));
      } while (n < 0 && LastError.getInstance().get() == EINTR);
      if (n < 0) {
        throw failure("read", file, LastError.getInstance().get());
      }
      if (n == 0) {
        return -1;
      }
      s.buffer().get(0, b, off, (int) n);
      return (int) n;
    }

    @Override
    public void close() {
      if (fd >= 0) {
        Invoker.getInstance().invokeIrI(CALLS.close(), fd);
        fd = -1;
      }
    }
  }

  /**
   * One more holder of this directory: the descriptor stays open until each holder has closed
   * it.
   *
   * @throws IllegalStateException if it is closed already
   */
  public OpenDirectory retain() {
    if (descriptor.fd >= 0 && descriptor.holders.getAndIncrement() <= 0) {
      throw new IllegalStateException("directory closed: " + path);
    }
    return this;
  }

  /** Lets go of this holder's hold; the last one closes the descriptor. */
  @Override
  public void close() {
    if (descriptor.fd >= 0 && descriptor.holders.decrementAndGet() == 0) {
      cleanable.clean();
    }
  }

  private static IOException failure(String call, Path path, int errno) {
    return switch (errno) {
      case ENOENT -> new NoSuchFileException(path.toString());
      case EACCES, EPERM -> new java.nio.file.AccessDeniedException(path.toString());
      case ENOTDIR, ELOOP -> new NotDirectoryException(path + " (changed during the walk)");
      default -> new PosixException(call, path.toString(), errno, "errno " + errno);
    };
  }

  /** The descriptor, closed once: by the last holder, or by the cleaner when none closed it. */
  private static final class Descriptor implements Runnable {
    final int fd;
    final AtomicInteger holders = new AtomicInteger(1);

    Descriptor(int fd) {
      this.fd = fd;
    }

    @Override
    public void run() {
      Invoker.getInstance().invokeIrI(CALLS.close(), fd);
    }
  }
}
