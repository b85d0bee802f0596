package dev.lamina.runner.internal;

import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Function;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.LastError;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * libc's functions called through jffi, for the few system calls the runner makes that Java
 * lacks. Not through a jnr-ffi interface, which would generate a class at run time (tens of
 * milliseconds in a cold JVM) for a few functions. Pointers and {@code size_t} are passed as
 * {@code long}s, and native memory is managed by the callers: Linux on x86-64 and arm64 only.
 */
public final class LibcFunctions {
  private static final class Holder {
    static final Library LIBC = Library.getCachedInstance("libc.so.6", Library.LAZY | Library.LOCAL);
    static final Function STRERROR = function("strerror", Type.POINTER, Type.SINT);
  }

  /** Native memory, for the callers' buffers and C strings. */
  public static final MemoryIO MEMORY = MemoryIO.getInstance();

  /** The calls. */
  public static final Invoker INVOKER = Invoker.getInstance();

  private LibcFunctions() {}

  /**
   * libc's function {@code name}, returning {@code result} and taking {@code params}.
   *
   * @throws UnsatisfiedLinkError when libc or the function cannot be found
   */
  public static Function function(String name, Type result, Type... params) {
    Library libc = Holder.LIBC;
    if (libc == null) {
      throw new UnsatisfiedLinkError(Library.getLastError());
    }
    long address = libc.getSymbolAddress(name);
    if (address == 0) {
      throw new UnsatisfiedLinkError(name + ": " + Library.getLastError());
    }
    // saveErrno: errno is read right after the call, before the JVM can change it.
    return new Function(address, result, params, CallingConvention.DEFAULT, true);
  }

  /** The errno the last call of this thread left. */
  public static int errno() {
    return LastError.getInstance().get();
  }

  /** The last call's failure: {@code call: message (errno N)}. */
  public static IOException failure(String call) {
    int errno = errno();
    return new IOException(call + ": " + strerror(errno) + " (errno " + errno + ")");
  }

  /** strerror(3). */
  public static String strerror(int errno) {
    long message = INVOKER.invokeLrL(Holder.STRERROR, errno);
    return message == 0
        ? "errno " + errno
        : new String(MEMORY.getZeroTerminatedByteArray(message), StandardCharsets.UTF_8);
  }

  /** {@code bytes} as a C string in native memory, to be given back with {@link #free}. */
  public static long cString(byte[] bytes) {
    long address = MEMORY.allocateMemory(bytes.length + 1L, true);
    MEMORY.putByteArray(address, bytes, 0, bytes.length);
    return address;
  }

  /** Gives back memory from {@link #cString}; nothing for 0. */
  public static void free(long address) {
    if (address != 0) {
      MEMORY.freeMemory(address);
    }
  }
}
