package dev.lamina.layerfs.registry;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of TOML that {@code registries.conf} files use: comments, {@code key = value} with bare
 * or quoted keys, {@code [table]}, {@code [[array.of.tables]]} (one or two levels, such as {@code
 * [[registry.mirror]]}), strings (basic with escapes, and literal), booleans, integers and arrays
 * (over several lines, trailing comma allowed). Anything else is refused with its line number, so
 * a file is never half understood.
 *
 * <p>The result is a tree of {@code Map<String, Object>} (tables), {@code List<Object>} (arrays
 * and arrays of tables), {@code String}, {@code Boolean} and {@code Long}.
 */
final class TomlSubset {
  private final String text;
  private final String source;
  private int pos;
  private int line = 1;

  private TomlSubset(String text, String source) {
    this.text = text;
    this.source = source;
  }

  /**
   * Parses {@code text}; {@code source} names it in errors.
   *
   * @throws IOException with the source and line if the text is not in the subset
   */
  static Map<String, Object> parse(String text, String source) throws IOException {
    return new TomlSubset(text, source).document();
  }

  private Map<String, Object> document() throws IOException {
    Map<String, Object> root = new LinkedHashMap<>();
    Map<String, Object> current = root;
    while (true) {
      skipBlank();
      if (pos >= text.length()) {
        return root;
      }
      char c = text.charAt(pos);
      if (c == '[') {
        boolean array = text.startsWith("[[", pos);
        pos += array ? 2 : 1;
        List<String> path = new ArrayList<>();
        do {
          skipSpaces();
          path.add(key());
          skipSpaces();
        } while (consume('.'));
        if (!consume(']') || (array && !consume(']'))) {
          throw error("expected ']' after a table name");
        }
        endOfLine();
        current = array ? appendTable(root, path) : table(root, path);
      } else {
        String k = key();
        skipSpaces();
        if (!consume('=')) {
          throw error("expected '=' after " + k);
        }
        skipSpaces();
        Object v = value();
        if (current.containsKey(k)) {
          throw error("duplicate key " + k);
        }
        current.put(k, v);
        endOfLine();
      }
    }
  }

  /** The table at {@code path}, created if missing; through an array of tables, its last. */
  @SuppressWarnings("unchecked")
  private Map<String, Object> table(Map<String, Object> root, List<String> path)
      throws IOException {
    Map<String, Object> t = root;
    for (String p : path) {
      Object next = t.computeIfAbsent(p, k -> new LinkedHashMap<String, Object>());
      if (next instanceof List<?> list && !list.isEmpty()
          && list.get(list.size() - 1) instanceof Map) {
        next = list.get(list.size() - 1); // [[a]] then [a.b]: b is in a's last table
      }
      if (!(next instanceof Map)) {
        throw error(String.join(".", path) + " is not a table");
      }
      t = (Map<String, Object>) next;
    }
    return t;
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> appendTable(Map<String, Object> root, List<String> path)
      throws IOException {
    Map<String, Object> parent = table(root, path.subList(0, path.size() - 1));
    String last = path.get(path.size() - 1);
    Object existing = parent.computeIfAbsent(last, k -> new ArrayList<Object>());
    if (!(existing instanceof List)) {
      throw error(String.join(".", path) + " is not an array of tables");
    }
    Map<String, Object> t = new LinkedHashMap<>();
    ((List<Object>) existing).add(t);
    return t;
  }

  private String key() throws IOException {
    if (pos >= text.length()) {
      throw error("expected a key");
    }
    char c = text.charAt(pos);
    if (c == '"' || c == '\'') {
      return string();
    }
    int start = pos;
    while (pos < text.length() && isBare(text.charAt(pos))) {
      pos++;
    }
    if (start == pos) {
      throw error("expected a key, found '" + c + "'");
    }
    return text.substring(start, pos);
  }

  private static boolean isBare(char c) {
    return Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_';
  }

  private Object value() throws IOException {
    if (pos >= text.length()) {
      throw error("expected a value");
    }
    char c = text.charAt(pos);
    if (c == '"' || c == '\'') {
      return string();
    }
    if (c == '[') {
      pos++;
      List<Object> out = new ArrayList<>();
      while (true) {
        skipBlank();
        if (consume(']')) {
          return out;
        }
        out.add(value());
        skipBlank();
        if (consume(']')) {
          return out;
        }
        if (!consume(',')) {
          throw error("expected ',' or ']' in an array");
        }
      }
    }
    int start = pos;
    while (pos < text.length() && (isBare(text.charAt(pos)) || text.charAt(pos) == '+')) {
      pos++;
    }
    String word = text.substring(start, pos);
    if (word.equals("true") || word.equals("false")) {
      return Boolean.valueOf(word);
    }
    if (word.matches("[+-]?[0-9][0-9_]*")) {
      return Long.parseLong(word.replace("_", "").replace("+", ""));
    }
    throw error(word.isEmpty() ? "expected a value" : "unsupported value " + word);
  }

  private String string() throws IOException {
    char quote = text.charAt(pos);
    if (text.startsWith(String.valueOf(quote).repeat(3), pos)) {
      throw error("multi-line strings are not supported");
    }
    pos++;
    StringBuilder sb = new StringBuilder();
    while (true) {
      if (pos >= text.length() || text.charAt(pos) == '\n') {
        throw error("unterminated string");
      }
      char c = text.charAt(pos++);
      if (c == quote) {
        return sb.toString();
      }
      if (c == '\\' && quote == '"') {
        if (pos >= text.length()) {
          throw error("unterminated string");
        }
        char e = text.charAt(pos++);
        switch (e) {
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          case 'r' -> sb.append('\r');
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case '"' -> sb.append('"');
          case '\\' -> sb.append('\\');
          case 'u', 'U' -> {
            int n = e == 'u' ? 4 : 8;
            if (pos + n > text.length()) {
              throw error("bad unicode escape");
            }
            try {
              sb.appendCodePoint(Integer.parseInt(text.substring(pos, pos + n), 16));
            } catch (IllegalArgumentException bad) {
              throw error("bad unicode escape");
            }
            pos += n;
          }
          default -> throw error("bad escape \\" + e);
        }
      } else {
        sb.append(c);
      }
    }
  }

  private boolean consume(char c) {
    if (pos < text.length() && text.charAt(pos) == c) {
      pos++;
      return true;
    }
    return false;
  }

  private void skipSpaces() {
    while (pos < text.length() && (text.charAt(pos) == ' ' || text.charAt(pos) == '\t')) {
      pos++;
    }
  }

  /** Spaces, newlines and comments. */
  private void skipBlank() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c == '#') {
        while (pos < text.length() && text.charAt(pos) != '\n') {
          pos++;
        }
      } else if (c == '\n') {
        line++;
        pos++;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        pos++;
      } else {
        return;
      }
    }
  }

  /** Nothing but a comment may follow on the line. */
  private void endOfLine() throws IOException {
    skipSpaces();
    if (pos < text.length() && text.charAt(pos) == '\r') {
      pos++;
    }
    if (pos >= text.length() || text.charAt(pos) == '\n' || text.charAt(pos) == '#') {
      return;
    }
    throw error("unexpected '" + text.charAt(pos) + "'");
  }

  private IOException error(String what) {
    return new IOException(source + ":" + line + ": " + what);
  }
}
