package dev.lamina.cli.template;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into text and the tokens of its actions, as Go's text/template lexer does:
 * {@code {{- } and {@code  -}}} trim the white space beside them, {@code {{/* ... *}{@code /}}} is
 * a comment, and {@code }}} inside a quoted string does not end an action.
 */
final class Lexer {
  enum Kind {
    TEXT, LEFT, RIGHT, FIELD, VARIABLE, STRING, NUMBER, IDENT, PIPE, LPAREN, RPAREN, DECLARE,
    ASSIGN, COMMA, EOF
  }

  /**
   * A token; {@code joined} when no space separates it from the one before ({@code .A.B} is two
   * joined fields, {@code .A .B} two arguments).
   */
  record Token(Kind kind, String text, boolean joined, int offset) {}

  private final String src;
  private final List<Token> tokens = new ArrayList<>();
  private int pos;

  private Lexer(String src) {
    this.src = src;
  }

  static List<Token> lex(String src) {
    Lexer l = new Lexer(src);
    l.run();
    return l.tokens;
  }

  private void run() {
    boolean trimNext = false;
    while (pos < src.length()) {
      int open = src.indexOf("{{", pos);
      String text = open < 0 ? src.substring(pos) : src.substring(pos, open);
      boolean trimBefore = open >= 0 && isTrimMarker(open + 2);
      if (trimNext) {
        text = text.stripLeading();
      }
      if (trimBefore) {
        text = text.stripTrailing();
      }
      if (!text.isEmpty()) {
        tokens.add(new Token(Kind.TEXT, text, false, pos));
      }
      if (open < 0) {
        break;
      }
      pos = open + 2 + (trimBefore ? 2 : 0);
      trimNext = action(open);
    }
    tokens.add(new Token(Kind.EOF, "", false, src.length()));
  }

  /** {@code "- "} after {@code {{}: Go's left trim marker needs the space. */
  private boolean isTrimMarker(int at) {
    return at + 1 < src.length() && src.charAt(at) == '-' && isSpace(src.charAt(at + 1));
  }

  /** Lexes one action from {@link #pos}; returns whether it ends with a right trim marker. */
  private boolean action(int open) {
    int afterSpace = pos;
    while (afterSpace < src.length() && isSpace(src.charAt(afterSpace))) {
      afterSpace++;
    }
    if (src.startsWith("/*", afterSpace)) {
      int end = src.indexOf("*/", afterSpace + 2);
      if (end < 0) {
        throw new TemplateException("unclosed comment");
      }
      pos = end + 2;
      while (pos < src.length() && isSpace(src.charAt(pos))) {
        pos++;
      }
      return closeAction(true);
    }
    tokens.add(new Token(Kind.LEFT, "{{", false, open));
    boolean joined = true;
    while (true) {
      if (pos >= src.length()) {
        throw new TemplateException("unclosed action");
      }
      char c = src.charAt(pos);
      if (isSpace(c)) {
        pos++;
        joined = false;
        continue;
      }
      if (c == '-' && src.startsWith("}}", pos + 1) && !joined
          || c == '}' && src.startsWith("}}", pos)) {
        return closeAction(false);
      }
      int start = pos;
      Kind kind;
      String text;
      if (c == '"' || c == '`') {
        kind = Kind.STRING;
        text = quoted(c);
      } else if (c == '.' && (pos + 1 >= src.length() || !Character.isDigit(src.charAt(pos + 1)))) {
        pos++;
        text = "." + word();
        kind = Kind.FIELD;
      } else if (c == '$') {
        pos++;
        text = "$" + word();
        kind = Kind.VARIABLE;
      } else if (Character.isDigit(c) || (c == '-' || c == '+' || c == '.') && pos + 1 < src.length()
          && Character.isDigit(src.charAt(pos + 1))) {
        pos++;
        while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos))
            || src.charAt(pos) == '.' || src.charAt(pos) == '_'
            || (src.charAt(pos) == '-' || src.charAt(pos) == '+')
                && Character.toLowerCase(src.charAt(pos - 1)) == 'e')) {
          pos++;
        }
        text = src.substring(start, pos);
        kind = Kind.NUMBER;
      } else if (Character.isLetter(c) || c == '_') {
        text = word();
        kind = Kind.IDENT;
      } else if (c == ':' && src.startsWith(":=", pos)) {
        pos += 2;
        text = ":=";
        kind = Kind.DECLARE;
      } else {
        pos++;
        text = String.valueOf(c);
        kind = switch (c) {
          case '|' -> Kind.PIPE;
          case '(' -> Kind.LPAREN;
          case ')' -> Kind.RPAREN;
          case '=' -> Kind.ASSIGN;
          case ',' -> Kind.COMMA;
          case '\'' -> throw new TemplateException("character constants are not supported");
          default -> throw new TemplateException("unexpected \"" + c + "\" in action");
        };
      }
      tokens.add(new Token(kind, text, joined, start));
      joined = true;
    }
  }

  /**
   * At {@code }}} or {@code -}}}: ends the action (a comment adds no tokens) and returns whether
   * it trims what follows.
   */
  private boolean closeAction(boolean comment) {
    boolean trim = src.startsWith("-}}", pos);
    if (!trim && !src.startsWith("}}", pos)) {
      throw new TemplateException("unclosed comment");
    }
    if (!comment) {
      tokens.add(new Token(Kind.RIGHT, "}}", false, pos));
    }
    pos += trim ? 3 : 2;
    return trim;
  }

  private String word() {
    int start = pos;
    while (pos < src.length()
        && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) {
      pos++;
    }
    return src.substring(start, pos);
  }

  /** A Go string: {@code "..."} with backslash escapes, or raw {@code `...`}. */
  private String quoted(char quote) {
    StringBuilder sb = new StringBuilder();
    pos++;
    while (true) {
      if (pos >= src.length()) {
        throw new TemplateException("unterminated quoted string");
      }
      char c = src.charAt(pos++);
      if (c == quote) {
        return sb.toString();
      }
      if (quote == '"' && c == '\n') {
        throw new TemplateException("unterminated quoted string");
      }
      if (quote == '"' && c == '\\') {
        if (pos >= src.length()) {
          throw new TemplateException("unterminated quoted string");
        }
        char e = src.charAt(pos++);
        switch (e) {
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          case 'r' -> sb.append('\r');
          case '\\' -> sb.append('\\');
          case '"' -> sb.append('"');
          case '\'' -> sb.append('\'');
          case 'a' -> sb.append('\007');
          case 'b' -> sb.append('\b');
          case 'f' -> sb.append('\f');
          case 'v' -> sb.append('\013');
          case '0' -> sb.append('\0');
          case 'u', 'x' -> {
            int n = e == 'u' ? 4 : 2;
            if (pos + n > src.length()) {
              throw new TemplateException("invalid escape in string");
            }
            try {
              sb.append((char) Integer.parseInt(src.substring(pos, pos + n), 16));
            } catch (NumberFormatException bad) {
              throw new TemplateException("invalid escape in string");
            }
            pos += n;
          }
          default -> throw new TemplateException("unknown escape \\" + e + " in string");
        }
      } else {
        sb.append(c);
      }
    }
  }

  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }
}
