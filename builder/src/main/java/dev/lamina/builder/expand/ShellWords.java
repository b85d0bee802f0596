package dev.lamina.builder.expand;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The recipe language's shell lexer: quote removal, {@code $name}/{@code ${name...}} expansion and
 * word splitting, with the semantics of BuildKit's {@code shell.Lex}.
 *
 * <ul>
 *   <li>{@code '...'} is literal; {@code "..."} expands {@code $} and lets the escape character
 *       escape {@code "}, {@code $} and itself (any other escape stays as written);
 *   <li>outside quotes the escape character makes the next character literal;
 *   <li>{@code ${v:-w}} {@code ${v-w}} {@code ${v:+w}} {@code ${v+w}} {@code ${v:?m}} {@code
 *       ${v?m}}: with a colon an empty value counts as unset;
 *   <li>{@code ${v#p}} {@code ${v##p}} {@code ${v%p}} {@code ${v%%p}} trim the shortest or longest
 *       match of a glob pattern; {@code ${v/p/r}} and {@code ${v//p/r}} replace the first or all;
 *   <li>values of variables are split into words, quoted text is not.
 * </ul>
 *
 * <p>Instances are immutable; the {@code with...} methods return changed copies.
 */
public final class ShellWords {
  /**
   * How deep {@code ${...}} substitutions may nest. The lexer recurses once per level; a bound
   * turns a hostile recipe into an error instead of a stack overflow. Real recipes nest a few
   * levels; BuildKit's Go stack grows instead, so a deeper text that BuildKit never expands (a
   * shell-form RUN) is not refused, only not checked.
   */
  public static final int MAX_NESTING = 100;

  private static final String SPECIAL_PARAMETERS = "@*#?-$!0";

  private final char escape;
  private final boolean rawQuotes;
  private final boolean rawEscapes;
  private final boolean skipUnset;
  private final boolean literalQuotes;

  private ShellWords(
      char escape, boolean rawQuotes, boolean rawEscapes, boolean skipUnset, boolean literal) {
    this.escape = escape;
    this.rawQuotes = rawQuotes;
    this.rawEscapes = rawEscapes;
    this.skipUnset = skipUnset;
    this.literalQuotes = literal;
  }

  /**
   * A lexer for recipes using {@code escape} ({@code \} or {@code `}).
   *
   * @throws IllegalArgumentException for any other escape character
   */
  public static ShellWords withEscape(char escape) {
    if (escape != '\\' && escape != '`') {
      throw new IllegalArgumentException("escape must be \\ or `, not " + escape);
    }
    return new ShellWords(escape, false, false, false, false);
  }

  /** A copy that keeps quote characters in its output (used to find quoted heredoc names). */
  public ShellWords withRawQuotes(boolean keep) {
    return new ShellWords(escape, keep, rawEscapes, skipUnset, literalQuotes);
  }

  /** A copy that keeps escape characters in its output. */
  public ShellWords withRawEscapes(boolean keep) {
    return new ShellWords(escape, rawQuotes, keep, skipUnset, literalQuotes);
  }

  /** A copy that leaves references to unset variables as written instead of expanding them. */
  public ShellWords withSkipUnset(boolean skip) {
    return new ShellWords(escape, rawQuotes, rawEscapes, skip, literalQuotes);
  }

  /**
   * A copy that treats quote characters as ordinary text (for expanding heredoc bodies, where
   * quotes belong to the script).
   */
  public ShellWords withLiteralQuotes(boolean literal) {
    return new ShellWords(escape, rawQuotes, rawEscapes, skipUnset, literal);
  }

  /** The escape character. */
  public char escape() {
    return escape;
  }

  /**
   * The outcome of processing one text.
   *
   * @param word the text with quotes removed and variables expanded, spaces kept
   * @param words the same split into words (quoted spaces do not split)
   * @param matched names of referenced variables that were set
   * @param unmatched names of referenced variables that were unset (not counting {@code ${v-w}},
   *     {@code ${v+w}} and their colon forms, which handle the unset case themselves)
   */
  public record Result(
      String word, List<String> words, Set<String> matched, Set<String> unmatched) {
    public Result {
      words = List.copyOf(words);
      matched = Collections.unmodifiableSet(new LinkedHashSet<>(matched));
      unmatched = Collections.unmodifiableSet(new LinkedHashSet<>(unmatched));
    }
  }

  /**
   * Processes {@code text} against {@code env} (an absent key is unset, an empty value is set).
   *
   * @throws ExpansionException if a quote is not closed or a substitution is malformed or fails
   */
  public Result process(String text, Map<String, String> env) throws ExpansionException {
    Scan scan = new Scan(text, env);
    try {
      Piece piece = scan.until("", false);
      return new Result(piece.text, piece.words, scan.matched, scan.unmatched);
    } catch (ExpansionException e) {
      throw new ExpansionException("failed to process \"" + text + "\": " + e.getMessage());
    }
  }

  /**
   * The text as one word: quotes removed, variables expanded, spaces kept.
   *
   * @throws ExpansionException as {@link #process}
   */
  public String word(String text, Map<String, String> env) throws ExpansionException {
    return process(text, env).word();
  }

  /**
   * The text split into words after expansion.
   *
   * @throws ExpansionException as {@link #process}
   */
  public List<String> words(String text, Map<String, String> env) throws ExpansionException {
    return process(text, env).words();
  }

  private record Piece(String text, List<String> words) {}

  /** Word splitting: unquoted whitespace ends a word; quoted text never does. */
  private static final class WordsBuilder {
    private final List<String> words = new ArrayList<>();
    private final StringBuilder word = new StringBuilder();
    private boolean inWord;

    void addChar(char c) {
      if (Character.isWhitespace(c)) {
        if (inWord && word.length() > 0) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else {
        addRawChar(c);
      }
    }

    void addRawChar(char c) {
      word.append(c);
      inWord = true;
    }

    void addString(String s) {
      for (int i = 0; i < s.length(); i++) {
        addChar(s.charAt(i));
      }
    }

    void addRawString(String s) {
      word.append(s);
      inWord = true;
    }

    List<String> finish() {
      if (word.length() > 0) {
        words.add(word.toString());
        word.setLength(0);
        inWord = false;
      }
      return words;
    }
  }

  private final class Scan {
    private final String s;
    private final Map<String, String> env;
    private final Set<String> matched = new LinkedHashSet<>();
    private final Set<String> unmatched = new LinkedHashSet<>();
    private int pos;
    private int depth;

    Scan(String s, Map<String, String> env) {
      this.s = s;
      this.env = env;
    }

    private boolean atEnd() {
      return pos >= s.length();
    }

    private int peek() {
      return atEnd() ? -1 : s.charAt(pos);
    }

    private int next() {
      return atEnd() ? -1 : s.charAt(pos++);
    }

    /** Reads up to (and consumes) one of {@code stops}; the empty string reads to the end. */
    Piece until(String stops, boolean keepEscapes) throws ExpansionException {
      StringBuilder result = new StringBuilder();
      WordsBuilder words = new WordsBuilder();
      while (!atEnd()) {
        char c = s.charAt(pos);
        if (stops.indexOf(c) >= 0) {
          pos++;
          return new Piece(result.toString(), words.finish());
        }
        if (c == '\'' && !literalQuotes) {
          String quoted = singleQuoted();
          result.append(quoted);
          words.addRawString(quoted);
        } else if (c == '"' && !literalQuotes) {
          String quoted = doubleQuoted();
          result.append(quoted);
          words.addRawString(quoted);
        } else if (c == '$') {
          String value = dollar();
          result.append(value);
          words.addString(value);
        } else {
          pos++;
          if (c == escape) {
            if (keepEscapes) {
              words.addRawChar(c);
              result.append(c);
            }
            if (atEnd()) {
              break; // an escape at the very end is dropped
            }
            c = s.charAt(pos++);
            words.addRawChar(c);
          } else {
            words.addChar(c);
          }
          result.append(c);
        }
      }
      if (!stops.isEmpty()) {
        throw new ExpansionException(
            "unexpected end of statement while looking for matching " + stops);
      }
      return new Piece(result.toString(), words.finish());
    }

    private String singleQuoted() throws ExpansionException {
      StringBuilder result = new StringBuilder();
      pos++;
      if (rawQuotes) {
        result.append('\'');
      }
      while (true) {
        int c = next();
        if (c < 0) {
          throw new ExpansionException(
              "unexpected end of statement while looking for matching single-quote");
        }
        if (c == '\'') {
          if (rawQuotes) {
            result.append('\'');
          }
          return result.toString();
        }
        result.append((char) c);
      }
    }

    private String doubleQuoted() throws ExpansionException {
      StringBuilder result = new StringBuilder();
      pos++;
      if (rawQuotes) {
        result.append('"');
      }
      while (true) {
        int c = peek();
        if (c < 0) {
          throw new ExpansionException(
              "unexpected end of statement while looking for matching double-quote");
        }
        if (c == '"') {
          pos++;
          if (rawQuotes) {
            result.append('"');
          }
          return result.toString();
        }
        if (c == '$') {
          result.append(dollar());
          continue;
        }
        pos++;
        if (c == escape) {
          int n = peek();
          if (n < 0) {
            continue; // an escape at the very end is dropped
          }
          if (n == '"' || n == '$' || n == escape) {
            if (rawEscapes) {
              result.append(escape);
            }
            result.append((char) next());
            continue;
          }
        }
        result.append((char) c);
      }
    }

    private String lookup(String name, boolean record) {
      String value = env.get(name);
      if (record) {
        (value == null ? unmatched : matched).add(name);
      } else if (value != null) {
        matched.add(name);
      }
      return value;
    }

    private String name() {
      StringBuilder name = new StringBuilder();
      while (!atEnd()) {
        char c = s.charAt(pos);
        if (name.length() == 0 && Character.isDigit(c)) {
          while (!atEnd() && Character.isDigit(s.charAt(pos))) {
            name.append(s.charAt(pos++));
          }
          return name.toString();
        }
        if (name.length() == 0 && SPECIAL_PARAMETERS.indexOf(c) >= 0) {
          pos++;
          return String.valueOf(c);
        }
        if (!Character.isLetterOrDigit(c) && c != '_') {
          break;
        }
        name.append(c);
        pos++;
      }
      return name.toString();
    }

    private String dollar() throws ExpansionException {
      pos++; // $
      if (peek() != '{') {
        String name = name();
        if (name.isEmpty()) {
          return "$";
        }
        String value = lookup(name, true);
        if (value == null) {
          return skipUnset ? "$" + name : "";
        }
        return value;
      }
      pos++; // {
      if (depth == MAX_NESTING) {
        throw new ExpansionException(
            "substitutions nested more than " + MAX_NESTING + " deep");
      }
      depth++;
      try {
        return braced();
      } finally {
        depth--;
      }
    }

    /** The rest of a {@code ${...}} after the brace. */
    private String braced() throws ExpansionException {
      int first = peek();
      if (first < 0) {
        throw new ExpansionException("syntax error: missing '}'");
      }
      if (first == '{' || first == '}' || first == ':') {
        throw new ExpansionException("syntax error: bad substitution");
      }
      String name = name();
      int c = next();
      if (c < 0) {
        throw new ExpansionException("syntax error: missing '}'");
      }
      if (c == '}') {
        String value = lookup(name, true);
        if (value == null) {
          return skipUnset ? "${" + name + "}" : "";
        }
        return value;
      }
      if (c == '/') {
        return replace(name);
      }
      String modifier = String.valueOf((char) c);
      boolean nullIsUnset = false;
      if (c == ':') {
        nullIsUnset = true;
        c = next();
        modifier += c < 0 ? "" : String.valueOf((char) c);
      }
      if (c != '+' && c != '-' && c != '?' && c != '#' && c != '%') {
        throw new ExpansionException("unsupported modifier (" + modifier + ") in substitution");
      }
      boolean patternOperator = c == '#' || c == '%';
      if (nullIsUnset && patternOperator) {
        throw new ExpansionException("unsupported modifier (" + modifier + ") in substitution");
      }
      String word = closedBy('}', patternOperator, "syntax error: missing '}'");
      String value = lookup(name, c == '?' || patternOperator);
      if (value == null && skipUnset) {
        return "${" + name + modifier + word + "}";
      }
      boolean set = value != null && !(nullIsUnset && value.isEmpty());
      switch (c) {
        case '-':
          return set ? value : word;
        case '+':
          return set ? word : "";
        case '?':
          if (!set) {
            String message = word;
            if (message.isEmpty()) {
              message = value == null ? "is not allowed to be unset" : "is not allowed to be empty";
            }
            throw new ExpansionException(name + ": " + message);
          }
          return value;
        default:
          String pattern = word;
          boolean greedy = !pattern.isEmpty() && pattern.charAt(0) == c;
          if (greedy) {
            pattern = pattern.substring(1);
          }
          String subject = value == null ? "" : value;
          return c == '%'
              ? ShellPattern.trimSuffix(pattern, subject, greedy)
              : ShellPattern.trimPrefix(pattern, subject, greedy);
      }
    }

    private String replace(String name) throws ExpansionException {
      boolean all = peek() == '/';
      if (all) {
        pos++;
      }
      String pattern = closedBy('/', true, "syntax error: missing '/' in ${}");
      String replacement = closedBy('}', true, "syntax error: missing '}'");
      String value = lookup(name, true);
      if (value == null && skipUnset) {
        return "${" + name + (all ? "//" : "/") + pattern + "/" + replacement + "}";
      }
      return ShellPattern.replace(pattern, replacement, value == null ? "" : value, all);
    }

    private String closedBy(char stop, boolean keepEscapes, String missing)
        throws ExpansionException {
      try {
        return until(String.valueOf(stop), keepEscapes).text();
      } catch (ExpansionException e) {
        if (atEnd()) {
          throw new ExpansionException(missing);
        }
        throw e;
      }
    }
  }
}
