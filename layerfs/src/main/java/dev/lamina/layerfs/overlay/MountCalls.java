package dev.lamina.layerfs.overlay;

import com.kenai.jffi.Function;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import dev.lamina.layerfs.posix.FileNames;
import dev.lamina.layerfs.posix.NativeFunctions;
import java.nio.file.Path;

/**
 * {@code mount(2)} and {@code umount2(2)} for the common, simple case, called through jffi, the
 * foreign-call layer under jnr-ffi: no process to start (as {@link MountCommands} does) and no
 * class generated (as jnr-ffi's binding behind {@code Posix} does, tens of milliseconds in a cold
 * JVM). A false answer (jffi unusable, any failure) tells the caller to go on as without it, so
 * that a failure is reported as before, in the kernel's own words.
 *
 * <p>Pointers are passed as {@code long}s: Linux on 64-bit CPUs only.
 */
final class MountCalls {
  private static final MountCalls INSTANCE = load();

  private final Invoker invoker = Invoker.getInstance();
  private final MemoryIO memory = MemoryIO.getInstance();
  private final Function mount;
  private final Function umount2;

  private MountCalls(Library libc) {
    mount = function(libc, "mount",
        Type.POINTER, Type.POINTER, Type.POINTER, Type.ULONG, Type.POINTER);
    umount2 = function(libc, "umount2", Type.POINTER, Type.SINT);
  }

  /** The calls, or null when jffi or libc cannot be used here. */
  private static MountCalls load() {
    try {
      return new MountCalls(NativeFunctions.libc());
    } catch (LinkageError | RuntimeException unusable) {
      return null;
    }
  }

  private static Function function(Library library, String name, Type... params) {
    return NativeFunctions.function(library, name, false, Type.SINT, params);
  }

  /** Mounts an overlay with the classic option string on {@code target}; true when it did. */
  static boolean mountOverlay(String options, Path target) {
    return INSTANCE != null && INSTANCE.mount(options, target);
  }

  /** Unmounts {@code target} (not lazily); true when it did. */
  static boolean unmount(Path target) {
    return INSTANCE != null && INSTANCE.umount(target);
  }

  private boolean mount(String options, Path target) {
    byte[] overlay = FileNames.cString("overlay");
    long source = NativeFunctions.copyToNative(overlay);
    long fstype = NativeFunctions.copyToNative(overlay);
    long dir = NativeFunctions.copyToNative(FileNames.cString(target));
    long data = NativeFunctions.copyToNative(FileNames.cString(options));
    try {
      return (int) invoker.invokeLLLLLrL(mount, source, dir, fstype, 0L, data) == 0;
    } finally {
      for (long p : new long[] {source, fstype, dir, data}) {
        memory.freeMemory(p);
      }
    }
  }

  private boolean umount(Path target) {
    long dir = NativeFunctions.copyToNative(FileNames.cString(target));
    try {
      return (int) invoker.invokeLLrL(umount2, dir, 0L) == 0;
    } finally {
      memory.freeMemory(dir);
    }
  }

}
