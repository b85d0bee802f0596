package dev.lamina.runner.network;

import com.kenai.jffi.Function;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.posix.NativeFunctions;
import dev.lamina.runner.internal.Background;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The system calls that make, pin and unpin a network namespace, in this process, through jffi:
 * no helper program to start (util-linux's {@code unshare} and {@code umount}, a fork and two
 * execs each, several milliseconds on a start's critical path). jffi is loaded by then: a
 * container's root filesystem is mounted through it first ({@link
 * NativeFunctions#loadInBackground}). A false answer (jffi or libc unusable here) tells the
 * caller to use the programs instead.
 *
 * <p>Pointers are passed as {@code long}s: Linux on 64-bit CPUs only.
 */
final class NamespaceCalls {
  private static final int CLONE_NEWNET = 0x40000000;
  private static final long MS_BIND = 4096;
  private static final int O_RDONLY_CLOEXEC = 0x80000;
  private static final int MNT_DETACH = 2;
  private static final int UMOUNT_NOFOLLOW = 8;
  private static final int EINVAL = 22;
  private static final int ENOENT = 2;

  private static final NamespaceCalls INSTANCE = load();

  private final Invoker invoker = Invoker.getInstance();
  private final MemoryIO memory = MemoryIO.getInstance();
  private final Function open;
  private final Function close;
  private final Function unshare;
  private final Function setns;
  private final Function mount;
  private final Function umount2;

  private NamespaceCalls(Library libc) {
    // errno is read right after each call.
    open = NativeFunctions.function(libc, "open", true, Type.SINT, Type.POINTER, Type.SINT);
    close = NativeFunctions.function(libc, "close", true, Type.SINT, Type.SINT);
    unshare = NativeFunctions.function(libc, "unshare", true, Type.SINT, Type.SINT);
    setns = NativeFunctions.function(libc, "setns", true, Type.SINT, Type.SINT, Type.SINT);
    mount = NativeFunctions.function(libc, "mount", true, Type.SINT,
        Type.POINTER, Type.POINTER, Type.POINTER, Type.ULONG, Type.POINTER);
    umount2 = NativeFunctions.function(libc, "umount2", true, Type.SINT, Type.POINTER, Type.SINT);
  }

  private static NamespaceCalls load() {
    try {
      return new NamespaceCalls(NativeFunctions.libc());
    } catch (LinkageError | RuntimeException unusable) {
      return null;
    }
  }

  /** Whether the calls can be made here. */
  static boolean usable() {
    return INSTANCE != null;
  }

  /**
   * Makes a new network namespace and bind-mounts it on {@code file} (which must exist). A thread
   * of its own (a network namespace belongs to a thread, not to the process) leaves this
   * process's namespace for the new one, pins it from there, and goes back where it may before it
   * ends: no other thread ever runs in it.
   *
   * @throws IOException when the namespace cannot be made or pinned
   * @throws IllegalStateException when the calls are not {@link #usable}
   */
  static void createPinned(Path file) throws IOException {
    NamespaceCalls calls = require();
    byte[] target = FileNames.cString(file.toAbsolutePath());
    Background.start("network-namespace", () -> {
      calls.inNewNamespace(target);
      return null;
    }).await();
  }

  private void inNewNamespace(byte[] target) throws IOException {
    long self = NativeFunctions.copyToNative(FileNames.cString("/proc/thread-self/ns/net"));
    try {
      int own = (int) invoker.invokeLLrL(open, self, O_RDONLY_CLOEXEC);
      if (own < 0) {
        throw failure("open /proc/thread-self/ns/net");
      }
      try {
        if (invoker.invokeIrI(unshare, CLONE_NEWNET) != 0) {
          throw failure("unshare(CLONE_NEWNET)");
        }
        try {
          bind(self, target);
        } finally {
          // Back to this process's namespace, so that no thread of it is in the new one even
          // while this one ends. A user's process may not (its network namespace belongs to the
          // host's user namespace): the thread then ends in the new one, doing nothing more.
          invoker.invokeIIrI(setns, own, CLONE_NEWNET);
        }
      } finally {
        invoker.invokeIrI(close, own);
      }
    } finally {
      memory.freeMemory(self);
    }
  }

  /**
   * Detaches the topmost mount at {@code file} (never following a symlink there): true when one
   * was, false when {@code file} is no mount point (or is gone). Detached, so that a process that
   * still has the file open does not keep the mount in place.
   *
   * @throws IOException when the unmount fails otherwise
   * @throws IllegalStateException when the calls are not {@link #usable}
   */
  static boolean detach(Path file) throws IOException {
    NamespaceCalls calls = require();
    long path = NativeFunctions.copyToNative(FileNames.cString(file.toAbsolutePath()));
    try {
      if ((int) calls.invoker.invokeLLrL(calls.umount2, path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0) {
        return true;
      }
      int errno = LastError.getInstance().get();
      if (errno == EINVAL || errno == ENOENT) {
        return false;
      }
      throw failure("umount " + file);
    } finally {
      calls.memory.freeMemory(path);
    }
  }

  private static NamespaceCalls require() {
    if (INSTANCE == null) {
      throw new IllegalStateException("jffi is not usable here");
    }
    return INSTANCE;
  }

  private void bind(long source, byte[] target) throws IOException {
    long dst = NativeFunctions.copyToNative(target);
    try {
      if ((int) invoker.invokeLLLLLrL(mount, source, dst, 0L, MS_BIND, 0L) != 0) {
        throw failure("mount --bind /proc/thread-self/ns/net");
      }
    } finally {
      memory.freeMemory(dst);
    }
  }

  private static IOException failure(String call) {
    return new IOException(call + ": errno " + LastError.getInstance().get());
  }
}
