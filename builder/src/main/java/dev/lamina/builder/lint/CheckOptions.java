package dev.lamina.builder.lint;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The {@code # check=skip=Rule1,Rule2;error=true} directive.
 *
 * @param skip rule names not to report
 * @param skipAll {@code skip=all}
 * @param error whether warnings fail the build
 */
public record CheckOptions(Set<String> skip, boolean skipAll, boolean error) {
  /** No directive: every rule, warnings only. */
  public static final CheckOptions DEFAULT = new CheckOptions(Set.of(), false, false);

  public CheckOptions {
    skip = Set.copyOf(skip);
  }

  /**
   * Parses a directive value; null or blank is {@link #DEFAULT}.
   *
   * @throws IllegalArgumentException for an unknown option or a non-boolean {@code error}
   */
  public static CheckOptions parse(String value) {
    if (value == null || value.isBlank()) {
      return DEFAULT;
    }
    Set<String> skip = new LinkedHashSet<>();
    boolean skipAll = false;
    boolean error = false;
    for (String part : value.strip().split(";", 2)) {
      int eq = part.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException("invalid check option \"" + part + "\"");
      }
      String key = part.substring(0, eq).strip();
      String v = part.substring(eq + 1).strip();
      switch (key) {
        case "skip" -> {
          if (v.equals("all")) {
            skipAll = true;
          } else {
            for (String rule : v.split(",")) {
              skip.add(rule.strip());
            }
          }
        }
        case "error" -> {
          String lower = v.toLowerCase(Locale.ROOT);
          if (Set.of("1", "t", "true").contains(lower)) {
            error = true;
          } else if (Set.of("0", "f", "false").contains(lower)) {
            error = false;
          } else {
            throw new IllegalArgumentException("failed to parse check option \"" + part + "\"");
          }
        }
        default -> throw new IllegalArgumentException("invalid check option \"" + key + "\"");
      }
    }
    return new CheckOptions(skip, skipAll, error);
  }

  /** Whether {@code rule} is reported. */
  public boolean enabled(Rule rule) {
    return !skipAll && !skip.contains(rule.ruleName());
  }
}
