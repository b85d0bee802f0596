package dev.lamina.cli.template;

import dev.lamina.cli.template.Lexer.Kind;
import dev.lamina.cli.template.Lexer.Token;
import dev.lamina.cli.template.Node.Branch;
import dev.lamina.cli.template.Node.Command;
import dev.lamina.cli.template.Node.Keyword;
import dev.lamina.cli.template.Node.Operand;
import dev.lamina.cli.template.Node.Pipeline;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Go's text/template grammar over {@link Lexer}'s tokens: text, pipelines, variables, {@code
 * if}/{@code else if}/{@code else}, {@code with}/{@code else with}, {@code range} (with {@code
 * break} and {@code continue}) and {@code end}. Named templates ({@code define}, {@code template},
 * {@code block}) are refused by name, as is a function this engine lacks.
 */
final class Parser {
  private final String src;
  private final List<Token> tokens;
  private int at;
  private int rangeDepth;

  private Parser(String src) {
    this.src = src;
    this.tokens = Lexer.lex(src);
  }

  static List<Node> parse(String src) {
    Parser p = new Parser(src);
    List<Node> nodes = new ArrayList<>();
    String end = p.list(nodes);
    if (end != null) {
      throw new TemplateException("unexpected {{" + end + "}}");
    }
    return List.copyOf(nodes);
  }

  /**
   * Parses nodes into {@code into} until the end of input (null) or an {@code {{end}}} or {@code
   * {{else ...}}} (returned as "end" or "else"; for "else" the tokens after it are left).
   */
  private String list(List<Node> into) {
    while (true) {
      Token t = next();
      switch (t.kind()) {
        case EOF -> {
          return null;
        }
        case TEXT -> into.add(new Node.Text(t.text()));
        case LEFT -> {
          String stop = action(into);
          if (stop != null) {
            return stop;
          }
        }
        default -> throw unexpected(t);
      }
    }
  }

  /** After {@code {{}: one action; returns "end"/"else" when it is one of those. */
  private String action(List<Node> into) {
    Token t = peek();
    if (t.kind() == Kind.IDENT) {
      switch (t.text()) {
        case "end" -> {
          next();
          expect(Kind.RIGHT);
          return "end";
        }
        case "else" -> {
          next();
          return "else";
        }
        case "if" -> {
          next();
          into.add(branch(Keyword.IF));
          return null;
        }
        case "with" -> {
          next();
          into.add(branch(Keyword.WITH));
          return null;
        }
        case "range" -> {
          next();
          into.add(branch(Keyword.RANGE));
          return null;
        }
        case "break", "continue" -> {
          next();
          if (rangeDepth == 0) {
            throw new TemplateException("{{" + t.text() + "}} outside {{range}}");
          }
          expect(Kind.RIGHT);
          into.add(new Node.Jump(t.text().equals("break")));
          return null;
        }
        case "define", "template", "block" ->
            throw new TemplateException("{{" + t.text() + "}} (named templates) is not supported");
        default -> { }
      }
    }
    into.add(new Node.Print(pipeline(true, Kind.RIGHT)));
    expect(Kind.RIGHT);
    return null;
  }

  /** {@code if}/{@code with}/{@code range} after its keyword, through its {@code end}. */
  private Branch branch(Keyword keyword) {
    Pipeline p = pipeline(true, Kind.RIGHT);
    expect(Kind.RIGHT);
    List<Node> then = new ArrayList<>();
    if (keyword == Keyword.RANGE) {
      rangeDepth++;
    }
    String stop = list(then);
    if (keyword == Keyword.RANGE) {
      rangeDepth--;
    }
    List<Node> otherwise = new ArrayList<>();
    if (stop == null) {
      throw new TemplateException("unexpected end of template: {{" + name(keyword) + "}} has no {{end}}");
    }
    if (stop.equals("else")) {
      Token t = peek();
      if (t.kind() == Kind.IDENT && (t.text().equals("if") || t.text().equals("with"))) {
        // {{else if x}} ... {{end}}: an if inside the else part, sharing its end.
        next();
        otherwise.add(branch(t.text().equals("if") ? Keyword.IF : Keyword.WITH));
      } else {
        expect(Kind.RIGHT);
        String end = list(otherwise);
        if (!"end".equals(end)) {
          throw new TemplateException(
              end == null ? "unexpected end of template: {{" + name(keyword) + "}} has no {{end}}"
                  : "{{else}} after {{else}}");
        }
      }
    }
    return new Branch(keyword, p, List.copyOf(then), List.copyOf(otherwise));
  }

  private static String name(Keyword k) {
    return k.name().toLowerCase(java.util.Locale.ROOT);
  }

  /** A pipeline, optionally starting with variable declarations, up to {@code end}. */
  private Pipeline pipeline(boolean mayDeclare, Kind end) {
    int start = peek().offset();
    List<String> vars = new ArrayList<>();
    boolean declare = false;
    if (mayDeclare && peek().kind() == Kind.VARIABLE) {
      int save = at;
      List<String> names = new ArrayList<>();
      names.add(next().text());
      if (peek().kind() == Kind.COMMA) {
        next();
        if (peek().kind() == Kind.VARIABLE) {
          names.add(next().text());
        }
      }
      Kind k = peek().kind();
      if (k == Kind.DECLARE || k == Kind.ASSIGN) {
        next();
        vars = names;
        declare = k == Kind.DECLARE;
      } else {
        at = save;
      }
    }
    List<Command> commands = new ArrayList<>();
    while (true) {
      commands.add(command());
      if (peek().kind() == Kind.PIPE) {
        next();
        continue;
      }
      if (peek().kind() != end) {
        throw unexpected(peek());
      }
      break;
    }
    String text = src.substring(start, Math.max(start, peek().offset())).strip();
    return new Pipeline(List.copyOf(vars), declare, List.copyOf(commands), text);
  }

  private Command command() {
    List<Operand> operands = new ArrayList<>();
    while (true) {
      Kind k = peek().kind();
      if (k == Kind.PIPE || k == Kind.RIGHT || k == Kind.RPAREN || k == Kind.EOF) {
        break;
      }
      operands.add(operand());
    }
    if (operands.isEmpty()) {
      throw new TemplateException("missing value for command");
    }
    return new Command(List.copyOf(operands));
  }

  private Operand operand() {
    Token t = next();
    Node.Term term;
    List<String> fields = new ArrayList<>();
    switch (t.kind()) {
      case FIELD -> {
        term = new Node.Dot();
        if (t.text().length() > 1) {
          fields.add(t.text().substring(1));
        }
      }
      case VARIABLE -> term = new Node.Variable(t.text());
      case STRING -> term = new Node.Literal(t.text());
      case NUMBER -> term = new Node.Literal(number(t.text()));
      case LPAREN -> {
        term = new Node.Group(pipeline(false, Kind.RPAREN));
        expect(Kind.RPAREN);
      }
      case IDENT -> {
        switch (t.text()) {
          case "true" -> term = new Node.Literal(Boolean.TRUE);
          case "false" -> term = new Node.Literal(Boolean.FALSE);
          case "nil" -> term = new Node.Literal(null);
          default -> {
            Functions.check(t.text());
            term = new Node.Function(t.text());
          }
        }
      }
      default -> throw unexpected(t);
    }
    while (peek().kind() == Kind.FIELD && peek().joined()) {
      String f = next().text();
      if (f.length() == 1) {
        throw new TemplateException("unexpected . after term");
      }
      fields.add(f.substring(1));
    }
    if (term instanceof Node.Function && !fields.isEmpty()) {
      throw new TemplateException("unexpected . after function " + t.text());
    }
    return new Operand(term, List.copyOf(fields));
  }

  private static Object number(String text) {
    String t = text.replace("_", "");
    try {
      if (t.startsWith("0x") || t.startsWith("0X")) {
        return Long.parseLong(t.substring(2), 16);
      }
      BigDecimal d = new BigDecimal(t.startsWith("+") ? t.substring(1) : t);
      if (d.scale() <= 0 && !t.contains(".") && !t.toLowerCase(java.util.Locale.ROOT).contains("e")) {
        return d.longValueExact();
      }
      return d.doubleValue();
    } catch (NumberFormatException | ArithmeticException e) {
      throw new TemplateException("bad number syntax: " + text);
    }
  }

  private Token next() {
    return tokens.get(at++);
  }

  private Token peek() {
    return tokens.get(at);
  }

  private void expect(Kind kind) {
    Token t = next();
    if (t.kind() != kind) {
      throw unexpected(t);
    }
  }

  private static TemplateException unexpected(Token t) {
    return switch (t.kind()) {
      case EOF -> new TemplateException("unexpected end of template");
      case RIGHT -> new TemplateException("missing value for command");
      case TEXT -> new TemplateException("unexpected text " + t.text());
      default -> new TemplateException("unexpected \"" + t.text() + "\" in action");
    };
  }
}
