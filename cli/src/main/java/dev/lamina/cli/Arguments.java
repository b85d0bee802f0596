package dev.lamina.cli;

import dev.lamina.layerfs.posix.FileNames;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The command line's arguments with every byte. The JVM decodes them with the locale's charset
 * and replaces what does not decode, so a path argument that is not UTF-8 would name another
 * file. The kernel keeps them as given in {@code /proc/self/cmdline}, where the program's are the
 * last ones.
 */
final class Arguments {
  private Arguments() {}

  /**
   * {@code args} as names with every byte (see {@link FileNames}), or {@code args} itself when
   * the process's command line does not end with them (a JVM started some other way).
   */
  static String[] withBytes(String[] args) {
    List<byte[]> all;
    try {
      all = fields(Files.readAllBytes(Path.of("/proc/self/cmdline")));
    } catch (IOException | RuntimeException e) {
      return args;
    }
    if (all.size() < args.length) {
      return args;
    }
    Charset jvm = jvmCharset();
    String[] out = new String[args.length];
    int first = all.size() - args.length;
    for (int i = 0; i < args.length; i++) {
      byte[] raw = all.get(first + i);
      // The JVM's own reading of these bytes must be the argument, else they are not ours.
      if (!new String(raw, jvm).equals(args[i])) {
        return args;
      }
      out[i] = FileNames.decode(raw);
    }
    return out;
  }

  /** The NUL-terminated fields of a command line, empty ones included. */
  private static List<byte[]> fields(byte[] cmdline) {
    List<byte[]> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < cmdline.length; i++) {
      if (cmdline[i] == 0) {
        out.add(Arrays.copyOfRange(cmdline, start, i));
        start = i + 1;
      }
    }
    return out;
  }

  private static Charset jvmCharset() {
    try {
      return Charset.forName(System.getProperty("sun.jnu.encoding"));
    } catch (RuntimeException e) {
      return Charset.defaultCharset();
    }
  }
}
