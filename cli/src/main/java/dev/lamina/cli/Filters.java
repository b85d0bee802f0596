package dev.lamina.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * {@code --filter KEY=VALUE} values, as docker reads them: values of one key are alternatives
 * (any may match), different keys must all match, and every {@code label} filter must match.
 */
final class Filters {
  private final Map<String, List<String>> values;

  private Filters(Map<String, List<String>> values) {
    this.values = values;
  }

  /**
   * Parses {@code filters}, refusing a key outside {@code keys} as docker does ({@code invalid
   * filter 'x'}), and one without {@code =}.
   */
  static Filters parse(List<String> filters, Set<String> keys) {
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (String f : filters) {
      int eq = f.indexOf('=');
      if (eq <= 0) {
        throw new UserException(
            "bad format of filter (expected name=value): " + f, ExitCodes.USAGE);
      }
      String key = f.substring(0, eq).strip().toLowerCase(java.util.Locale.ROOT);
      if (!keys.contains(key)) {
        throw new UserException("invalid filter '" + key + "' (supported: "
            + String.join(", ", new TreeSet<>(keys)) + ")", ExitCodes.USAGE);
      }
      values.computeIfAbsent(key, k -> new ArrayList<>()).add(f.substring(eq + 1));
    }
    return new Filters(values);
  }

  boolean isEmpty() {
    return values.isEmpty();
  }

  boolean has(String key) {
    return values.containsKey(key);
  }

  List<String> get(String key) {
    return values.getOrDefault(key, List.of());
  }

  /** True when {@code key} is not given, or when {@code test} holds for one of its values. */
  boolean any(String key, Predicate<String> test) {
    List<String> v = values.get(key);
    return v == null || v.stream().anyMatch(test);
  }

  /** A single boolean value of {@code key} ({@code dangling=true}), null when not given. */
  Boolean bool(String key) {
    List<String> v = values.get(key);
    if (v == null) {
      return null;
    }
    Boolean result = null;
    for (String s : v) {
      boolean b = switch (s.toLowerCase(java.util.Locale.ROOT)) {
        case "true", "1" -> true;
        case "false", "0" -> false;
        default -> throw new UserException(
            "invalid filter '" + key + "=" + s + "' (want true or false)", ExitCodes.USAGE);
      };
      if (result != null && result != b) {
        throw new UserException("conflicting filters " + key + "=true and " + key + "=false",
            ExitCodes.USAGE);
      }
      result = b;
    }
    return result;
  }

  /**
   * Whether {@code labels} satisfy every {@code label} filter: {@code label=KEY} needs the key,
   * {@code label=KEY=VALUE} also the value.
   */
  boolean labels(Map<String, String> labels) {
    for (String l : get("label")) {
      if (!hasLabel(labels, l)) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code labels} have {@code label}: {@code KEY}, or {@code KEY=VALUE} with that value. */
  static boolean hasLabel(Map<String, String> labels, String label) {
    int eq = label.indexOf('=');
    String key = eq < 0 ? label : label.substring(0, eq);
    return labels.containsKey(key) && (eq < 0 || labels.get(key).equals(label.substring(eq + 1)));
  }

  /** Docker's name filters are regular expressions matched anywhere in the name. */
  static boolean nameMatches(String pattern, String name) {
    try {
      return Pattern.compile(pattern).matcher(name).find();
    } catch (PatternSyntaxException e) {
      throw new UserException("invalid filter 'name=" + pattern + "': " + e.getDescription(),
          ExitCodes.USAGE);
    }
  }
}
