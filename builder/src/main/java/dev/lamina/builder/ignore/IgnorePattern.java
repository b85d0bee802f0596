package dev.lamina.builder.ignore;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One compiled ignore pattern: {@code *} and {@code ?} never cross {@code /}, {@code **} crosses
 * any number of directories, {@code [...]} is a character class, a backslash escapes.
 *
 * @param text the cleaned pattern without its {@code !}
 * @param exception whether it was written with a leading {@code !} (re-includes)
 */
record IgnorePattern(
    String text, boolean exception, Kind kind, Pattern regex, List<String> components,
    List<String> literals) {

  /**
   * How patternmatcher compares a path, decided from the pattern's characters: literally, by a
   * prefix (a literal ending in {@code **}), by a suffix (a pattern starting with {@code **} and
   * no other wildcard), or by the regular expression.
   */
  enum Kind {
    EXACT,
    PREFIX,
    SUFFIX,
    REGEX
  }

  static IgnorePattern compile(String text, boolean exception) {
    List<String> components = new ArrayList<>(List.of(text.split("/", -1)));
    return new IgnorePattern(
        text, exception, kindOf(text), Pattern.compile(toRegex(text)), components,
        literals(text));
  }

  /**
   * Text that every path the pattern matches contains: its runs of plain characters between
   * wildcards, without the slashes at their ends (which {@code **} may stand in for); none
   * when the pattern has classes or escapes. A path lacking one is not tried with the regular
   * expression, which with hundreds of patterns and a million files is most of the cost.
   */
  private static List<String> literals(String text) {
    if (text.indexOf('[') >= 0 || text.indexOf(']') >= 0 || text.indexOf('\\') >= 0) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String run : text.split("[*?]+")) {
      int from = 0;
      int to = run.length();
      while (from < to && run.charAt(from) == '/') {
        from++;
      }
      while (to > from && run.charAt(to - 1) == '/') {
        to--;
      }
      if (to > from) {
        out.add(run.substring(from, to));
      }
    }
    return List.copyOf(out);
  }

  /**
   * A component of the pattern without wildcards, classes or escapes (the longest, when there are
   * several), or null. Every path the pattern matches has a component equal to it: such a
   * component stands between slashes or the pattern's ends, and {@code **} before or after it
   * stands for whole directories.
   */
  String requiredComponent() {
    String best = null;
    for (String c : components) {
      if (c.isEmpty() || c.equals(".") || c.equals("..") || hasWildcard(c)) {
        continue;
      }
      if (best == null || c.length() > best.length()) {
        best = c;
      }
    }
    return best;
  }

  private static boolean hasWildcard(String component) {
    for (int i = 0; i < component.length(); i++) {
      char c = component.charAt(i);
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        return true;
      }
    }
    return false;
  }

  boolean matches(String path) {
    return switch (kind) {
      case EXACT -> path.equals(text);
      case PREFIX -> path.startsWith(text.substring(0, text.length() - 2));
      case SUFFIX -> {
        String suffix = text.substring(2);
        yield path.endsWith(suffix)
            || (suffix.startsWith("/") && path.equals(suffix.substring(1)));
      }
      case REGEX -> mightMatch(path) && regex.matcher(path).matches();
    };
  }

  private boolean mightMatch(String path) {
    for (String l : literals) {
      if (!path.contains(l)) {
        return false;
      }
    }
    return true;
  }

  /** patternmatcher's detection of a pattern's kind, step for step. */
  static Kind kindOf(String pattern) {
    Kind kind = Kind.EXACT;
    int n = pattern.length();
    for (int i = 0, step = 0; i < n; i++, step++) {
      char c = pattern.charAt(i);
      if (c == '*') {
        if (i + 1 < n && pattern.charAt(i + 1) == '*') {
          i++;
          if (i + 1 < n && pattern.charAt(i + 1) == '/') {
            i++;
          }
          kind = i + 1 >= n && kind == Kind.EXACT ? Kind.PREFIX : Kind.REGEX;
          if (step == 0) {
            kind = Kind.SUFFIX;
          }
        } else {
          kind = Kind.REGEX;
        }
      } else if (c == '?' || c == '[' || c == ']') {
        kind = Kind.REGEX;
      } else if (c == '\\' && i + 1 < n) {
        i++;
        kind = Kind.REGEX;
      }
    }
    return kind;
  }

  /**
   * Whether this pattern could match some path strictly below {@code dirComponents} (erring towards
   * yes: any {@code **} before the end of the directory counts).
   */
  boolean couldMatchBelow(String[] dirComponents) {
    for (int i = 0; i < components.size(); i++) {
      String c = components.get(i);
      if (c.contains("**")) {
        return true;
      }
      if (i >= dirComponents.length) {
        return true;
      }
      if (!Pattern.compile(toRegex(c)).matcher(dirComponents[i]).matches()) {
        return false;
      }
    }
    return false;
  }

  static String toRegex(String pattern) {
    StringBuilder re = new StringBuilder("^");
    int n = pattern.length();
    for (int i = 0; i < n; i++) {
      char c = pattern.charAt(i);
      if (c == '*') {
        if (i + 1 < n && pattern.charAt(i + 1) == '*') {
          i++;
          if (i + 1 < n && pattern.charAt(i + 1) == '/') {
            i++; // "**/" is treated as "**"
          }
          re.append(i + 1 >= n ? ".*" : "(.*/)?");
        } else {
          re.append("[^/]*");
        }
      } else if (c == '?') {
        re.append("[^/]");
      } else if (".+()|{}$^".indexOf(c) >= 0) {
        re.append('\\').append(c);
      } else if (c == '\\') {
        if (i + 1 < n) {
          char next = pattern.charAt(++i);
          re.append(Character.isLetterOrDigit(next) ? String.valueOf(next) : "\\" + next);
        } else {
          re.append("\\\\");
        }
      } else {
        re.append(c); // includes [ and ]: character classes pass through
      }
    }
    return re.append('$').toString();
  }
}
