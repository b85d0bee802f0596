package dev.lamina.layerfs.posix;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls jnr-posix lacks, bound through jnr-ffi. Use {@link Posix}: this interface is
 * public only because jnr-ffi generates its implementation in another class loader, which cannot
 * implement a package-private interface.
 *
 * <p>Paths are NUL-terminated bytes ({@link FileNames#cString}), never {@code String}s, so that
 * a name that is not valid in the locale's charset reaches the kernel unchanged.
 */
public interface LibC {
  @SaveError
  int lsetxattr(@In byte[] path, String name, @In byte[] value, @size_t long size, int flags);

  @SaveError
  @ssize_t
  long lgetxattr(@In byte[] path, String name, @Out byte[] value, @size_t long size);

  @SaveError
  @ssize_t
  long llistxattr(@In byte[] path, @Out byte[] list, @size_t long size);

  @SaveError
  int lremovexattr(@In byte[] path, String name);

  @SaveError
  int mount(String source, @In byte[] target, String fstype, long flags, String data);

  @SaveError
  int umount2(@In byte[] target, int flags);

  @SaveError
  int syscall(long number, Pointer a, Pointer b, Pointer c, Pointer d);

  String strerror(int errno);

  // The new mount API has no glibc 2.36 wrappers in every libc this runs on, so it goes through
  // syscall(2) with one typed overload per call (x86_64 numbers in Posix).

  /** fsopen(fsname, flags). */
  @SaveError
  long syscall(long number, String fsname, int flags);

  /** fsconfig(fd, cmd, key, value, aux). */
  @SaveError
  long syscall(long number, int fd, int cmd, String key, String value, int aux);

  /** fsmount(fd, flags, attrFlags). */
  @SaveError
  long syscall(long number, int fd, int flags, int attrFlags);

  /** move_mount(fromDirfd, fromPath, toDirfd, toPath, flags). */
  @SaveError
  long syscall(
      long number, int fromDirfd, String fromPath, int toDirfd, @In byte[] toPath, int flags);

  @SaveError
  int close(int fd);

  @SaveError
  @ssize_t
  long read(int fd, @Out byte[] buf, @size_t long count);

  /** {@code argv} and {@code envp} are NULL-terminated arrays of C strings. */
  @SaveError
  int execve(@In byte[] path, Pointer argv, Pointer envp);
}
