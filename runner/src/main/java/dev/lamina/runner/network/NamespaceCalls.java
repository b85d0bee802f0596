package dev.lamina.runner.network;

import com.kenai.jffi.Function;
import com.kenai.jffi.Type;
import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.runner.internal.Background;
import dev.lamina.runner.internal.LibcFunctions;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The system calls that make, pin and unpin a network namespace, in this process: a start pays
 * for no helper program (util-linux's {@code unshare} and {@code umount}, a fork and two execs
 * each).
 */
final class NamespaceCalls {
  private static final int CLONE_NEWNET = 0x40000000;
  private static final long MS_BIND = 4096;
  private static final int MNT_DETACH = 2;
  private static final int UMOUNT_NOFOLLOW = 8;
  private static final int EINVAL = 22;
  private static final int ENOENT = 2;

  private static final class Functions {
    static final Function UNSHARE = LibcFunctions.function("unshare", Type.SINT, Type.SINT);
    static final Function MOUNT =
        LibcFunctions.function("mount", Type.SINT, Type.POINTER, Type.POINTER, Type.POINTER,
            Type.ULONG, Type.POINTER);
    static final Function UMOUNT2 =
        LibcFunctions.function("umount2", Type.SINT, Type.POINTER, Type.SINT);
  }

  private NamespaceCalls() {}

  /**
   * Makes a new network namespace and bind-mounts it on {@code file} (which must exist). A thread
   * of its own leaves this process's namespace for the new one, pins it from there, and ends: no
   * other thread ever runs in it.
   *
   * @throws IOException when the namespace cannot be made or pinned
   */
  static void createPinned(Path file) throws IOException {
    byte[] target = FileNames.cString(file.toAbsolutePath());
    Background.start("network-namespace", () -> {
      if (LibcFunctions.INVOKER.invokeLrL(Functions.UNSHARE, CLONE_NEWNET) != 0) {
        throw LibcFunctions.failure("unshare(CLONE_NEWNET)");
      }
      bind("/proc/thread-self/ns/net", target);
      return null;
    }).await();
  }

  private static void bind(String source, byte[] target) throws IOException {
    long src = LibcFunctions.cString(FileNames.cString(source));
    long dst = LibcFunctions.cString(target);
    try {
      if (LibcFunctions.INVOKER.invokeLLLLLrL(Functions.MOUNT, src, dst, 0, MS_BIND, 0) != 0) {
        throw LibcFunctions.failure("mount --bind " + source);
      }
    } finally {
      LibcFunctions.free(src);
      LibcFunctions.free(dst);
    }
  }

  /**
   * Detaches the topmost mount at {@code file} (never following a symlink there): true when one
   * was, false when {@code file} is no mount point (or is gone). Detached, so that a process that
   * still has the file open does not keep the mount in place.
   *
   * @throws IOException when the unmount fails otherwise
   */
  static boolean detach(Path file) throws IOException {
    long path = LibcFunctions.cString(FileNames.cString(file.toAbsolutePath()));
    try {
      if (LibcFunctions.INVOKER.invokeLLrL(Functions.UMOUNT2, path, MNT_DETACH | UMOUNT_NOFOLLOW) == 0) {
        return true;
      }
      int errno = LibcFunctions.errno();
      if (errno == EINVAL || errno == ENOENT) {
        return false;
      }
      throw LibcFunctions.failure("umount " + file);
    } finally {
      LibcFunctions.free(path);
    }
  }
}
