package dev.lamina.builder.expand;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The glob patterns of {@code ${v#p}}, {@code ${v%p}} and {@code ${v/p/r}}: {@code *} is any run of
 * characters (slashes included), {@code ?} one character, a backslash escapes {@code *}, {@code ?}
 * or itself. Brackets are literal, as in BuildKit.
 */
final class ShellPattern {
  private ShellPattern() {}

  static Pattern compile(String pattern, boolean greedy, boolean anchored)
      throws ExpansionException {
    StringBuilder out = new StringBuilder(pattern.length() + 4);
    if (anchored) {
      out.append('^');
    }
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      switch (c) {
        case '*' -> out.append(greedy ? ".*" : ".*?");
        case '?' -> out.append('.');
        case '\\' -> {
          if (i + 1 >= pattern.length()) {
            throw new ExpansionException("invalid escape at the end of pattern '" + pattern + "'");
          }
          char next = pattern.charAt(++i);
          if (next == '}' || next == '/') {
            // The escape only kept the character from ending the substitution.
            out.append(Pattern.quote(String.valueOf(next)));
          } else if (next == '*' || next == '?' || next == '\\') {
            out.append('\\').append(next);
          } else {
            throw new ExpansionException("invalid escape '\\" + next + "'");
          }
        }
        default -> out.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.compile(out.toString());
  }

  /** {@code ${v#p}} (shortest) and {@code ${v##p}} (longest). */
  static String trimPrefix(String pattern, String value, boolean greedy) throws ExpansionException {
    Matcher m = compile(pattern, greedy, true).matcher(value);
    return m.find() ? value.substring(m.end()) : value;
  }

  /**
   * {@code ${v%p}} (shortest) and {@code ${v%%p}} (longest). A regular expression finds the
   * leftmost match only, so both the value and the pattern are reversed to turn the rightmost
   * search into a leftmost one (escapes stay in front of the character they escape).
   */
  static String trimSuffix(String pattern, String value, boolean greedy) throws ExpansionException {
    String trimmed =
        trimPrefix(reversePattern(pattern), new StringBuilder(value).reverse().toString(), greedy);
    return new StringBuilder(trimmed).reverse().toString();
  }

  /** {@code ${v/p/r}} and {@code ${v//p/r}}: leftmost, longest wildcards; literal replacement. */
  static String replace(String pattern, String replacement, String value, boolean all)
      throws ExpansionException {
    Matcher m = compile(pattern, true, false).matcher(value);
    String literal = Matcher.quoteReplacement(replacement);
    return all ? m.replaceAll(literal) : m.replaceFirst(literal);
  }

  static String reversePattern(String pattern) {
    char[] out = new char[pattern.length()];
    int last = pattern.length() - 1;
    for (int i = 0; i <= last; ) {
      char c = pattern.charAt(i);
      int at = last - i;
      if (c == '\\' && i != last) {
        out[at - 1] = c;
        out[at] = pattern.charAt(i + 1);
        i += 2;
      } else {
        out[at] = c;
        i++;
      }
    }
    return new String(out);
  }
}
