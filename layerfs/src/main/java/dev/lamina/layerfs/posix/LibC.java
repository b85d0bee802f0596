package dev.lamina.layerfs.posix;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls jnr-posix lacks, bound through jnr-ffi. Public only because jnr-ffi implements it
 * in a class loader of its own; use {@link Posix}.
 */
public interface LibC {
  @SaveError
  int mknod(String path, int mode, long dev);

  @SaveError
  int lsetxattr(String path, String name, @In byte[] value, @size_t long size, int flags);

  @SaveError
  @ssize_t
  long lgetxattr(String path, String name, @Out byte[] value, @size_t long size);

  @SaveError
  @ssize_t
  long llistxattr(String path, @Out byte[] list, @size_t long size);

  @SaveError
  int lremovexattr(String path, String name);

  @SaveError
  int mount(String source, String target, String fstype, long flags, String data);

  @SaveError
  int umount2(String target, int flags);

  /** {@code times} is two struct timespec {sec, nsec} as four longs. */
  @SaveError
  int utimensat(int dirfd, String path, @In long[] times, int flags);

  @SaveError
  int fchmodat(int dirfd, String path, int mode, int flags);

  @SaveError
  int fchownat(int dirfd, String path, int uid, int gid, int flags);

  @SaveError
  int syscall(long number, Pointer a, Pointer b, Pointer c, Pointer d);

  String strerror(int errno);
}
