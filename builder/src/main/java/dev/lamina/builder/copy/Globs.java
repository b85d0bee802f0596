package dev.lamina.builder.copy;

/**
 * Shell-style matching of COPY/ADD source paths, with the rules of Go's {@code path.Match} that
 * BuildKit uses: {@code *} matches any run of characters except {@code /}, {@code ?} one
 * character except {@code /}, {@code [abc]}, {@code [a-z]} and {@code [^a-z]} one character of a
 * class, and {@code \} makes the next character literal.
 */
public final class Globs {
  private Globs() {}

  /** Whether {@code text} holds an unescaped {@code *}, {@code ?} or {@code [}. */
  public static boolean containsWildcards(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '*' || c == '?' || c == '[') {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether {@code name} matches {@code pattern} entirely.
   *
   * @throws IllegalArgumentException if the pattern is malformed (an unclosed class, a trailing
   *     escape)
   */
  public static boolean matches(String pattern, String name) {
    return match(pattern, 0, name, 0);
  }

  private static boolean match(String p, int pi, String s, int si) {
    while (pi < p.length()) {
      char c = p.charAt(pi);
      switch (c) {
        case '*' -> {
          while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
          }
          if (pi == p.length()) {
            return s.indexOf('/', si) < 0;
          }
          for (int k = si; k <= s.length(); k++) {
            if (match(p, pi, s, k)) {
              return true;
            }
            if (k < s.length() && s.charAt(k) == '/') {
              return false;
            }
          }
          return false;
        }
        case '?' -> {
          if (si >= s.length() || s.charAt(si) == '/') {
            return false;
          }
          pi++;
          si++;
        }
        case '[' -> {
          if (si >= s.length() || s.charAt(si) == '/') {
            classEnd(p, pi); // still validate
            return false;
          }
          int end = classEnd(p, pi);
          if (!classMatches(p, pi + 1, end, s.charAt(si))) {
            return false;
          }
          pi = end + 1;
          si++;
        }
        case '\\' -> {
          if (pi + 1 >= p.length()) {
            throw new IllegalArgumentException("syntax error in pattern: " + p);
          }
          if (si >= s.length() || s.charAt(si) != p.charAt(pi + 1)) {
            return false;
          }
          pi += 2;
          si++;
        }
        default -> {
          if (si >= s.length() || s.charAt(si) != c) {
            return false;
          }
          pi++;
          si++;
        }
      }
    }
    return si == s.length();
  }

  /** The index of the {@code ]} closing the class opened at {@code open}. */
  private static int classEnd(String p, int open) {
    int i = open + 1;
    if (i < p.length() && p.charAt(i) == '^') {
      i++;
    }
    boolean first = true;
    while (i < p.length()) {
      char c = p.charAt(i);
      if (c == ']' && !first) {
        return i;
      }
      if (c == '\\') {
        i++;
      }
      first = false;
      i++;
    }
    throw new IllegalArgumentException("syntax error in pattern: " + p);
  }

  private static boolean classMatches(String p, int from, int end, char ch) {
    boolean negate = from < end && p.charAt(from) == '^';
    int i = negate ? from + 1 : from;
    boolean matched = false;
    while (i < end) {
      char lo = p.charAt(i);
      if (lo == '\\') {
        lo = p.charAt(++i);
      }
      i++;
      char hi = lo;
      if (i + 1 < end && p.charAt(i) == '-') {
        hi = p.charAt(i + 1);
        if (hi == '\\') {
          hi = p.charAt(i + 2);
          i++;
        }
        i += 2;
      }
      if (lo <= ch && ch <= hi) {
        matched = true;
      }
    }
    return matched != negate;
  }
}
