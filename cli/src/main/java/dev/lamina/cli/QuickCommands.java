package dev.lamina.cli;

import dev.lamina.layerfs.posix.FileNames;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import picocli.CommandLine;

/**
 * Command lines answered without building picocli's command tree: building it (the command
 * lines, their converters) is most of a short command's start-up. Only the exact shapes below
 * are taken, each with the output, exit code and effects of the full parse; anything else,
 * however close, returns null and goes through picocli, which then gives its own usage and
 * errors.
 */
final class QuickCommands {
  /**
   * The top-level help as picocli prints it without colours at its default width, written at
   * build time by {@link CommandModelWriter} (when it is plain ASCII, so that any stream
   * prints the same bytes).
   */
  static final String HELP_RESOURCE = "lamina.help";

  private QuickCommands() {}

  /**
   * Runs {@code args} if they are one of the shapes answered here and returns the exit code,
   * else null: {@code version}, {@code --help} or {@code -h} alone, after top-level options
   * each given once.
   */
  static Integer run(String[] args) {
    String last = last(args);
    if ("version".equals(last)) {
      VersionCommand.printTable();
      return ExitCodes.OK;
    }
    if (("--help".equals(last) || "-h".equals(last)) && helpAsStored()) {
      String help = storedHelp();
      if (help != null) {
        System.out.print(help);
        System.out.flush();
        return ExitCodes.OK;
      }
    }
    return null;
  }

  /**
   * Whether picocli would print the help as stored: no colours, and none of picocli's system
   * properties (such as {@code picocli.usage.width}) that change it.
   */
  private static boolean helpAsStored() {
    for (Object key : System.getProperties().keySet()) {
      if (key.toString().startsWith("picocli.")) {
        return false;
      }
    }
    return !CommandLine.Help.Ansi.AUTO.enabled();
  }

  private static String storedHelp() {
    String built = BuiltData.help();
    if (built != null) {
      return built;
    }
    try (InputStream in = QuickCommands.class.getResourceAsStream(HELP_RESOURCE)) {
      return in == null ? null : new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return null; // picocli prints it
    }
  }

  /**
   * The last argument, when everything before it is a top-level option picocli would take
   * without complaint ({@code --debug}, {@code --root DIR}, {@code --network-config-dir DIR},
   * or their {@code =DIR} forms), each at most once; else null.
   */
  static String last(String[] args) {
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
    return args[last];
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
