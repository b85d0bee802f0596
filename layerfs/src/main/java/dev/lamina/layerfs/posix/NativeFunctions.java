package dev.lamina.layerfs.posix;

import com.kenai.jffi.CallingConvention;
import com.kenai.jffi.Function;
import com.kenai.jffi.Invoker;
import com.kenai.jffi.Library;
import com.kenai.jffi.MemoryIO;
import com.kenai.jffi.Type;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one place that loads a native library and looks up its functions for calls through jffi,
 * the foreign-call layer under jnr-ffi. jffi is used directly where a call is made per file or on
 * a command's hot path: jnr-ffi generates a class for each binding, tens of milliseconds in a
 * cold JVM, where jffi only loads its stub library.
 */
public final class NativeFunctions {
  private static final AtomicBoolean LOADING = new AtomicBoolean();

  private NativeFunctions() {}

  /**
   * Loads jffi (its stub library, its memory and call layers) and libc on a thread of its own,
   * once per process, for a command that will soon make native calls (mount a root filesystem,
   * talk to a container's monitor): in a cold JVM that takes several milliseconds, which then
   * overlap with the command's other work instead of adding to it. Only jffi's own classes are
   * touched, so that a failure here changes nothing: the first real call meets it again, and
   * reports it.
   */
  public static void loadInBackground() {
    if (!LOADING.compareAndSet(false, true)) {
      return;
    }
    Thread t =
        new Thread(
            () -> {
              try {
                MemoryIO.getInstance();
                Invoker.getInstance();
                libc();
              } catch (Throwable later) {
                // Reported where the calls are made.
              }
            },
            "jffi-load");
    t.setDaemon(true);
    t.start();
  }

  /**
   * The C library.
   *
   * @throws UnsatisfiedLinkError if it cannot be loaded
   */
  public static Library libc() {
    return library("libc.so.6");
  }

  /**
   * Loads {@code soname}, its symbols kept out of the process's global namespace.
   *
   * @throws UnsatisfiedLinkError if it cannot be loaded
   */
  public static Library library(String soname) {
    Library library = Library.getCachedInstance(soname, Library.LAZY | Library.LOCAL);
    if (library == null) {
      throw new UnsatisfiedLinkError(soname + ": " + Library.getLastError());
    }
    return library;
  }

  /**
   * The function {@code name} of {@code library}, returning {@code result} and taking {@code
   * params}. With {@code saveErrno}, errno is saved right after each call (for {@code
   * com.kenai.jffi.LastError}), before the JVM can change it.
   *
   * @throws UnsatisfiedLinkError if the library has no such function
   */
  public static Function function(
      Library library, String name, boolean saveErrno, Type result, Type... params) {
    long address = library.getSymbolAddress(name);
    if (address == 0) {
      throw new UnsatisfiedLinkError(name + ": " + Library.getLastError());
    }
    return new Function(address, result, params, CallingConvention.DEFAULT, saveErrno);
  }

  /**
   * {@code bytes} (a C string with its terminating zero, say) copied into native memory, to be
   * given back with {@code MemoryIO.freeMemory}.
   */
  public static long copyToNative(byte[] bytes) {
    MemoryIO memory = MemoryIO.getInstance();
    long p = memory.allocateMemory(bytes.length, false);
    memory.putByteArray(p, bytes, 0, bytes.length);
    return p;
  }
}
