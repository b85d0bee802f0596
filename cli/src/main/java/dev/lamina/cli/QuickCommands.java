package dev.lamina.cli;

import dev.lamina.layerfs.posix.FileNames;
import java.util.HashSet;
import java.util.Set;

/**
 * Command lines answered without building picocli's command tree: building it (the command
 * lines, their converters) is most of a short command's start-up. Only the exact shapes below
 * are taken, each with the output, exit code and effects of the full parse; anything else,
 * however close, returns null and goes through picocli, which then gives its own usage and
 * errors.
 */
final class QuickCommands {
  private QuickCommands() {}

  /**
   * Runs {@code args} if they are one of the shapes answered here and returns the exit code,
   * else null: {@code version} alone, after top-level options each given once.
   */
  static Integer run(String[] args) {
    String word = onlyWord(args);
    if ("version".equals(word)) {
      VersionCommand.printTable();
      return ExitCodes.OK;
    }
    return null;
  }

  /**
   * The last argument, when everything before it is a top-level option picocli would take
   * without complaint ({@code --debug}, {@code --root DIR}, {@code --network-config-dir DIR},
   * or their {@code =DIR} forms), each at most once; else null.
   */
  static String onlyWord(String[] args) {
    if (args.length == 0) {
      return null;
    }
    Set<String> seen = new HashSet<>();
    int last = args.length - 1;
    for (int i = 0; i < last; i++) {
      String a = args[i];
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (!seen.add(name)) {
        return null; // picocli refuses an option given twice
      }
      if (a.equals("--debug")) {
        continue;
      }
      if (!name.equals("--root") && !name.equals("--network-config-dir")) {
        return null;
      }
      String value;
      if (name.equals(a)) {
        if (i + 1 == last) {
          return null;
        }
        value = args[++i];
        if (value.startsWith("-") || value.startsWith("@")) {
          return null; // picocli's reading of an option-like value is its own
        }
      } else {
        value = a.substring(name.length() + 1);
      }
      if (!convertible(value)) {
        return null;
      }
    }
    String word = args[last];
    return word.startsWith("-") || word.startsWith("@") ? null : word;
  }

  /** Whether picocli's converter of a path option (see Main) takes {@code value}. */
  private static boolean convertible(String value) {
    try {
      FileNames.path(value);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }
}
