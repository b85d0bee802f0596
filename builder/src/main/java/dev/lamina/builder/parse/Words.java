package dev.lamina.builder.parse;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Splitting an instruction line into keyword, flags and argument words. */
final class Words {
  static final Pattern WHITESPACE = Pattern.compile("[\\t\\u000B\\f\\r ]+");

  private Words() {}

  record SplitLine(String keyword, List<String> flags, String rest) {}

  /** {@code KEYWORD --flag=x --flag2 rest...}: flags end at the first word not starting "--". */
  static SplitLine splitCommand(String line) {
    String[] parts = WHITESPACE.split(line.strip(), 2);
    if (parts.length < 2) {
      return new SplitLine(parts[0], List.of(), "");
    }
    List<String> flags = new ArrayList<>();
    String rest = extractFlags(parts[1], flags);
    return new SplitLine(parts[0], flags, rest.strip());
  }

  /**
   * Collects leading {@code --} words into {@code flags} (quotes removed, backslash escapes
   * honoured) and returns the rest of the line. A lone {@code --} ends the flags.
   */
  private static String extractFlags(String line, List<String> flags) {
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    boolean blankOk = false;
    int pos = 0;
    while (pos <= line.length()) {
      if (!inWord) {
        if (pos == line.length()) {
          return "";
        }
        char c = line.charAt(pos);
        if (Character.isWhitespace(c)) {
          pos++;
          continue;
        }
        if (c != '-' || pos + 1 == line.length() || line.charAt(pos + 1) != '-') {
          return line.substring(pos);
        }
        inWord = true;
      }
      if (pos == line.length()) {
        if (!word.toString().equals("--") && (blankOk || word.length() > 0)) {
          flags.add(word.toString());
        }
        return "";
      }
      char c = line.charAt(pos);
      if (quote == 0) {
        if (Character.isWhitespace(c)) {
          if (word.toString().equals("--")) {
            return line.substring(pos);
          }
          if (blankOk || word.length() > 0) {
            flags.add(word.toString());
          }
          word.setLength(0);
          blankOk = false;
          inWord = false;
          pos++;
          continue;
        }
        if (c == '\'' || c == '"') {
          quote = c;
          blankOk = true;
          pos++;
          continue;
        }
        if (c == '\\') {
          if (pos + 1 == line.length()) {
            pos++;
            continue;
          }
          c = line.charAt(++pos);
        }
        word.append(c);
        pos++;
        continue;
      }
      if (c == quote) {
        quote = 0;
        pos++;
        continue;
      }
      if (c == '\\') {
        if (pos + 1 == line.length()) {
          quote = 0;
          pos++;
          continue;
        }
        c = line.charAt(++pos);
      }
      word.append(c);
      pos++;
    }
    return "";
  }

  /**
   * Words separated by unquoted whitespace; quotes and escapes are kept (they are removed later,
   * when the words are expanded).
   */
  static List<String> parseWords(String rest, char escape) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    char quote = 0;
    boolean blankOk = false;
    int pos = 0;
    int n = rest.length();
    while (pos <= n) {
      if (!inWord && quote == 0) {
        if (pos == n) {
          break;
        }
        if (Character.isWhitespace(rest.charAt(pos))) {
          pos++;
          continue;
        }
        inWord = true;
      }
      if (pos == n) {
        if (blankOk || word.length() > 0) {
          words.add(word.toString());
        }
        break;
      }
      char c = rest.charAt(pos);
      if (quote == 0) {
        if (Character.isWhitespace(c)) {
          inWord = false;
          if (blankOk || word.length() > 0) {
            words.add(word.toString());
          }
          word.setLength(0);
          blankOk = false;
          pos++;
          continue;
        }
        if (c == '\'' || c == '"') {
          quote = c;
          blankOk = true;
        }
        if (c == escape) {
          if (pos + 1 == n) {
            pos++;
            continue; // an escape at the end of the line is dropped
          }
          // Unquoted: keep the escape and the character it escapes, even a quote.
          word.append(c);
          c = rest.charAt(++pos);
        }
        word.append(c);
        pos++;
        continue;
      }
      if (c == quote) {
        quote = 0;
      } else if (c == escape && quote != '\'') {
        if (pos + 1 == n) {
          quote = 0;
          pos++;
          continue;
        }
        word.append(c);
        c = rest.charAt(++pos);
      }
      word.append(c);
      pos++;
    }
    return words;
  }

  /** Whitespace-separated words (no quote handling), none for an empty string. */
  static List<String> whitespaceDelimited(String rest) {
    if (rest.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String w : WHITESPACE.split(rest, -1)) {
      out.add(w);
    }
    return out;
  }
}
