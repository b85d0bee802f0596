package dev.lamina.runner.spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * This process's resource limits, from {@code /proc/self/limits}. A container must never ask for
 * more than the host's hard limit: raising a hard limit needs CAP_SYS_RESOURCE, which the runtime
 * may not have, and the start would fail.
 */
public final class HostLimits {
  /** {@code Max open files} and friends, by their /proc name. */
  public record Limit(long soft, long hard) {
    /** Unlimited is written as -1. */
    public static final long UNLIMITED = -1;
  }

  private final Map<String, Limit> limits;

  private HostLimits(Map<String, Limit> limits) {
    this.limits = Map.copyOf(limits);
  }

  /**
   * Reads this process's limits.
   *
   * @throws IOException if /proc/self/limits cannot be read
   */
  public static HostLimits current() throws IOException {
    return parse(Files.readString(Path.of("/proc/self/limits"), StandardCharsets.UTF_8));
  }

  /** Parses the text of a /proc/PID/limits file. */
  static HostLimits parse(String text) {
    Map<String, Limit> out = new HashMap<>();
    for (String line : text.split("\n")) {
      // "Max open files            20000                20000                files"
      if (!line.startsWith("Max ")) {
        continue;
      }
      String[] words = line.trim().split("\\s{2,}");
      if (words.length >= 3) {
        OptionalLong soft = value(words[1]);
        OptionalLong hard = value(words[2]);
        if (soft.isPresent() && hard.isPresent()) {
          out.put(words[0], new Limit(soft.getAsLong(), hard.getAsLong()));
        }
      }
    }
    return new HostLimits(out);
  }

  private static OptionalLong value(String s) {
    if (s.equals("unlimited")) {
      return OptionalLong.of(Limit.UNLIMITED);
    }
    try {
      return OptionalLong.of(Long.parseLong(s));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** The limit named as /proc names it ({@code Max open files}), if listed. */
  public java.util.Optional<Limit> get(String procName) {
    return java.util.Optional.ofNullable(limits.get(procName));
  }

  /**
   * {@code wanted}, lowered to the host's hard limit for {@code procName} when that is lower.
   * Without an entry, {@code wanted} is returned.
   */
  public long capped(String procName, long wanted) {
    Limit l = limits.get(procName);
    if (l == null || l.hard() == Limit.UNLIMITED) {
      return wanted;
    }
    return Math.min(wanted, l.hard());
  }
}
