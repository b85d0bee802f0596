package dev.lamina.runner.spec;

import java.util.List;
import java.util.Locale;

/**
 * A {@code --ulimit NAME=SOFT[:HARD]} value. {@link #UNLIMITED} stands for {@code unlimited} or
 * {@code -1}.
 *
 * @param type the runtime spec's name, {@code RLIMIT_NOFILE}, ...
 */
public record Ulimit(String type, long soft, long hard) {
  public static final long UNLIMITED = -1;

  /** docker's names, as {@code setrlimit(2)} has them without {@code RLIMIT_}. */
  public static final List<String> NAMES =
      List.of(
          "as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile",
          "nproc", "rss", "rtprio", "rttime", "sigpending", "stack");

  public Ulimit {
    if (soft != UNLIMITED && (hard != UNLIMITED && soft > hard || soft < 0)) {
      throw new IllegalArgumentException(
          "--ulimit " + type + ": the soft limit " + soft + " is above the hard limit " + hard);
    }
  }

  /**
   * Parses {@code nofile=1024:2048}, {@code nproc=512} (soft and hard alike), {@code
   * core=unlimited}.
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static Ulimit parse(String value) {
    int eq = value.indexOf('=');
    if (eq <= 0) {
      throw new IllegalArgumentException("invalid --ulimit " + value + " (want NAME=SOFT[:HARD])");
    }
    String name = value.substring(0, eq).toLowerCase(Locale.ROOT);
    if (!NAMES.contains(name)) {
      throw new IllegalArgumentException(
          "invalid --ulimit " + value + ": unknown limit " + name + " (one of "
              + String.join(", ", NAMES) + ")");
    }
    String[] limits = value.substring(eq + 1).split(":", -1);
    if (limits.length > 2) {
      throw new IllegalArgumentException("invalid --ulimit " + value + " (want NAME=SOFT[:HARD])");
    }
    long soft = number(limits[0], value);
    long hard = limits.length == 2 ? number(limits[1], value) : soft;
    return new Ulimit("RLIMIT_" + name.toUpperCase(Locale.ROOT), soft, hard);
  }

  private static long number(String s, String value) {
    if (s.equals("unlimited") || s.equals("-1")) {
      return UNLIMITED;
    }
    try {
      long n = Long.parseLong(s);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // Said below.
    }
    throw new IllegalArgumentException(
        "invalid --ulimit " + value + ": \"" + s + "\" is not a number or unlimited");
  }

  /** The name /proc/self/limits gives this limit, to compare with the host's. */
  public String procName() {
    return switch (type) {
      case "RLIMIT_AS" -> "Max address space";
      case "RLIMIT_CORE" -> "Max core file size";
      case "RLIMIT_CPU" -> "Max cpu time";
      case "RLIMIT_DATA" -> "Max data size";
      case "RLIMIT_FSIZE" -> "Max file size";
      case "RLIMIT_LOCKS" -> "Max file locks";
      case "RLIMIT_MEMLOCK" -> "Max locked memory";
      case "RLIMIT_MSGQUEUE" -> "Max msgqueue size";
      case "RLIMIT_NICE" -> "Max nice priority";
      case "RLIMIT_NOFILE" -> "Max open files";
      case "RLIMIT_NPROC" -> "Max processes";
      case "RLIMIT_RSS" -> "Max resident set";
      case "RLIMIT_RTPRIO" -> "Max realtime priority";
      case "RLIMIT_RTTIME" -> "Max realtime timeout";
      case "RLIMIT_SIGPENDING" -> "Max pending signals";
      case "RLIMIT_STACK" -> "Max stack size";
      default -> type;
    };
  }
}
