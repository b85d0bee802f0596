package dev.lamina.builder.parse;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns recipe text into located {@link Node}s, following BuildKit's Dockerfile parser: parser
 * directives at the top, comments, line continuations with the escape character (comment and empty
 * lines inside a continuation are skipped), case-insensitive keywords, JSON (exec) form with
 * fallback to the shell form when the JSON is invalid, and here-documents for RUN, COPY and ADD.
 *
 * <p>The parser gives no meaning to arguments; {@code recipe.InstructionParser} does.
 */
public final class Parser {
  private static final Pattern DIRECTIVE =
      Pattern.compile("^#\\s*([a-zA-Z][a-zA-Z0-9]*)\\s*=\\s*(.+?)\\s*$");
  private static final Set<String> KNOWN_DIRECTIVES = Set.of("escape", "syntax", "check");

  private Parser() {}

  /**
   * Parses a recipe file; its file name is used in messages.
   *
   * @throws IOException if the file cannot be read
   * @throws ParseException if the recipe is malformed
   */
  public static ParseResult parse(Path file) throws IOException, ParseException {
    String text = RecipeText.read(file);
    return parse(text, String.valueOf(file.getFileName()));
  }

  /**
   * Parses recipe text.
   *
   * @param name the name used in messages, e.g. {@code Dockerfile}
   * @throws ParseException if the recipe is malformed; the message names {@code name:line}
   */
  public static ParseResult parse(String text, String name) throws ParseException {
    return new Run(text, name).parse();
  }

  /** The state of one parse. */
  private static final class Run {
    private final String name;
    private final List<String> raw;
    private final List<String> plain = new ArrayList<>();
    private final Set<String> seenDirectives = new HashSet<>();
    private boolean directivesDone;
    private char escape = '\\';
    private String syntax;
    private String check;
    private int next; // index of the next raw line
    private int currentLine; // number of lines consumed

    Run(String text, String name) {
      this.name = name;
      if (text.startsWith("\uFEFF")) {
        text = text.substring(1);
      }
      this.raw = splitKeepingEndings(text);
      for (String line : raw) {
        plain.add(trimNewline(line));
      }
    }

    ParseResult parse() throws ParseException {
      List<Node> nodes = new ArrayList<>();
      List<ParseWarning> warnings = new ArrayList<>();
      List<String> comments = new ArrayList<>();
      while (next < raw.size()) {
        String first = raw.get(next++);
        boolean directive = !directivesDone;
        String processed = processLine(first, true);
        directive &= !directivesDone;
        currentLine++;
        int startLine = currentLine;
        if (isComment(first)) {
          if (!directive) {
            comments.add(trimNewline(first).strip().substring(1).strip());
          }
        } else if (trimNewline(first).isBlank()) {
          comments.clear();
        }
        String[] cont = trimContinuation(processed);
        String line = cont[0];
        boolean end = cont[1] == null;
        if (end && line.isEmpty()) {
          continue;
        }
        boolean emptyContinuation = false;
        while (!end && next < raw.size()) {
          String rawLine = raw.get(next++);
          processed = processLine(rawLine, false);
          currentLine++;
          if (isComment(rawLine)) {
            continue; // comments inside a continuation are dropped
          }
          if (processed.isBlank()) {
            emptyContinuation = true;
            continue;
          }
          cont = trimContinuation(processed);
          line += cont[0];
          end = cont[1] == null;
        }
        SourceRange range = new SourceRange(startLine, currentLine);
        if (emptyContinuation) {
          warnings.add(
              new ParseWarning(
                  "NoEmptyContinuation", "Empty continuation line found in: " + line, range));
        }
        Node node;
        try {
          node = nodeFromLine(line, comments);
        } catch (IllegalArgumentException e) {
          throw ParseException.at(name, range, e.getMessage(), plain);
        }
        if (canContainHeredoc(node)) {
          node = node.withHeredocs(readHeredocs(line, startLine));
        }
        nodes.add(node.withRange(new SourceRange(startLine, currentLine)));
        comments.clear();
      }
      if (nodes.isEmpty()) {
        throw ParseException.at(
            name, SourceRange.line(Math.max(currentLine, 1)), ParseErrors.noInstructions(), plain);
      }
      return new ParseResult(name, new Directives(escape, syntax, check), nodes, warnings, plain);
    }

    private List<Heredoc> readHeredocs(String line, int startLine) throws ParseException {
      List<Heredoc> openers;
      try {
        openers = Heredocs.fromLine(line);
      } catch (IllegalArgumentException e) {
        throw ParseException.at(
            name, new SourceRange(startLine, currentLine), e.getMessage(), plain);
      }
      List<Heredoc> docs = new ArrayList<>();
      for (Heredoc opener : openers) {
        StringBuilder content = new StringBuilder();
        boolean terminated = false;
        while (next < raw.size()) {
          String rawLine = raw.get(next++);
          currentLine++;
          String candidate = trimNewline(rawLine);
          if (opener.chomp()) {
            candidate = candidate.replaceFirst("^\\t+", "");
          }
          if (candidate.equals(opener.name())) {
            terminated = true;
            break;
          }
          content.append(rawLine);
        }
        if (!terminated) {
          throw ParseException.at(
              name,
              new SourceRange(startLine, Math.max(startLine, currentLine)),
              ParseErrors.unterminatedHeredoc(),
              plain);
        }
        docs.add(opener.withContent(content.toString()));
      }
      return docs;
    }

    private Node nodeFromLine(String line, List<String> comments) {
      Words.SplitLine split = Words.splitCommand(line);
      String keyword = split.keyword().toLowerCase(Locale.ROOT);
      if (LineParsers.isSubCommand(keyword)) {
        Node child = split.rest().isEmpty() ? null : nodeFromLine(split.rest(), List.of());
        return new Node(
            keyword,
            split.keyword(),
            split.flags(),
            List.of(),
            false,
            false,
            List.of(),
            line,
            null,
            child,
            comments);
      }
      LineParsers.Parsed parsed = LineParsers.parse(keyword, split.rest(), escape);
      return new Node(
          keyword,
          split.keyword(),
          split.flags(),
          parsed.args(),
          parsed.json(),
          parsed.legacyKeyValue(),
          List.of(),
          line,
          null,
          null,
          comments);
    }

    private static boolean canContainHeredoc(Node node) {
      Node target = node.child() != null ? node.child() : node;
      return Heredocs.HEREDOC_KEYWORDS.contains(target.keyword()) && !target.json();
    }

    /** Strips the line ending (and leading whitespace), notes a directive, drops a comment. */
    private String processLine(String line, boolean stripLeft) throws ParseException {
      String token = trimNewline(line);
      if (stripLeft) {
        token = token.stripLeading();
      }
      try {
        possibleDirective(token);
      } catch (IllegalArgumentException e) {
        throw ParseException.at(name, SourceRange.line(currentLine + 1), e.getMessage(), plain);
      }
      return token.startsWith("#") ? "" : token;
    }

    /**
     * Directives are only recognised before anything else: the first line that is not a known
     * directive (an instruction, a blank line, any other comment) ends them.
     */
    private void possibleDirective(String token) {
      if (directivesDone) {
        return;
      }
      Matcher m = DIRECTIVE.matcher(token);
      if (!m.matches()) {
        directivesDone = true;
        return;
      }
      String key = m.group(1).toLowerCase(Locale.ROOT);
      if (!KNOWN_DIRECTIVES.contains(key)) {
        directivesDone = true;
        return;
      }
      if (!seenDirectives.add(key)) {
        throw new IllegalArgumentException(ParseErrors.duplicateDirective(key));
      }
      String value = m.group(2);
      switch (key) {
        case "escape" -> {
          if (!value.equals("\\") && !value.equals("`")) {
            throw new IllegalArgumentException(ParseErrors.invalidEscape(value));
          }
          escape = value.charAt(0);
        }
        case "syntax" -> syntax = value;
        default -> check = value;
      }
    }

    /**
     * Returns {text, null} when the line ends the instruction, {text-without-escape, ""} when it
     * continues: the escape character is the last non-blank character and is not itself escaped.
     */
    private String[] trimContinuation(String line) {
      int end = line.length();
      while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t')) {
        end--;
      }
      if (end > 0 && line.charAt(end - 1) == escape) {
        if (end == 1) {
          return new String[] {"", ""};
        }
        if (line.charAt(end - 2) != escape) {
          return new String[] {line.substring(0, end - 1), ""};
        }
      }
      return new String[] {line, null};
    }
  }

  static boolean isComment(String line) {
    return trimNewline(line).stripLeading().startsWith("#");
  }

  static String trimNewline(String line) {
    int end = line.length();
    while (end > 0 && (line.charAt(end - 1) == '\n' || line.charAt(end - 1) == '\r')) {
      end--;
    }
    return line.substring(0, end);
  }

  static List<String> splitKeepingEndings(String text) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int nl = text.indexOf('\n', start);
      int end = nl < 0 ? text.length() : nl + 1;
      lines.add(text.substring(start, end));
      start = end;
    }
    return lines;
  }
}
