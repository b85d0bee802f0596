package dev.lamina.builder.parse;

import dev.lamina.builder.expand.ExpansionException;
import dev.lamina.builder.expand.ShellWords;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Finding here-document openers ({@code [n]<<[-]WORD}) in an instruction line. */
public final class Heredocs {
  /** Instructions that may open heredocs. */
  static final Set<String> HEREDOC_KEYWORDS = Set.of("run", "copy", "add");

  private static final Pattern OPENER = Pattern.compile("^(\\d*)<<(-?)([^<]*)$");
  // Heredoc words are always lexed with a backslash escape, whatever the recipe's escape is.
  private static final ShellWords LEXER = ShellWords.withEscape('\\').withSkipUnset(true);

  private Heredocs() {}

  /**
   * The heredoc {@code word} opens, or null if it is not an opener. The body is left empty.
   *
   * @throws IllegalArgumentException if the delimiter is malformed (unclosed quote)
   */
  public static Heredoc parseOpener(String word) {
    Matcher m = OPENER.matcher(word);
    if (!m.matches() || m.group(3).isEmpty()) {
      return null;
    }
    int fd = m.group(1).isEmpty() ? 0 : Integer.parseInt(m.group(1));
    boolean chomp = m.group(2).equals("-");
    String rest = m.group(3);
    try {
      List<String> words = LEXER.words(rest, Map.of());
      if (words.size() != 1) {
        return null;
      }
      List<String> raw = LEXER.withRawQuotes(true).words(rest, Map.of());
      if (raw.size() != 1) {
        throw new IllegalArgumentException(ParseErrors.badHeredoc(rest));
      }
      // Any quoted part of the delimiter shows up as a quote-count difference between the two
      // lexings, and turns expansion of the body off, as in a POSIX shell.
      boolean expand = quotes(words.get(0)) == quotes(raw.get(0));
      return new Heredoc(words.get(0), fd, expand, chomp, "");
    } catch (ExpansionException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  /** The heredoc openers of a whole instruction line, in order. */
  static List<Heredoc> fromLine(String line) {
    List<String> words;
    try {
      words = LEXER.withRawQuotes(true).withRawEscapes(true).words(line, Map.of());
    } catch (ExpansionException e) {
      return List.of();
    }
    List<Heredoc> docs = new ArrayList<>();
    for (String word : words) {
      Heredoc doc = parseOpener(word);
      if (doc != null) {
        docs.add(doc);
      }
    }
    return docs;
  }

  private static int quotes(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '\'' || s.charAt(i) == '"') {
        n++;
      }
    }
    return n;
  }
}
