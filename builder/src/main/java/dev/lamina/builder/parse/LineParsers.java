package dev.lamina.builder.parse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Per-instruction argument parsing (the dispatch table): each keyword has its own rules for
 * splitting the rest of the line, as in BuildKit. Unknown keywords get no arguments; the
 * instruction parser reports them.
 */
final class LineParsers {
  /** Exec-form arguments are parsed with Jackson's streaming parser (no data binding). */
  private static final JsonFactory JSON = new JsonFactory();

  /** Arguments parsed from the rest of a line. */
  record Parsed(List<String> args, boolean json, boolean legacyKeyValue) {
    static final Parsed NONE = new Parsed(List.of(), false, false);

    static Parsed of(List<String> args) {
      return new Parsed(args, false, false);
    }
  }

  private enum Kind {
    MAYBE_JSON,
    MAYBE_JSON_TO_LIST,
    WHITESPACE,
    STRING,
    NAME_VAL,
    NAME_OR_NAME_VAL,
    HEALTH,
    SUB_COMMAND
  }

  private static final Map<String, Kind> DISPATCH =
      Map.ofEntries(
          Map.entry("add", Kind.MAYBE_JSON_TO_LIST),
          Map.entry("arg", Kind.NAME_OR_NAME_VAL),
          Map.entry("cmd", Kind.MAYBE_JSON),
          Map.entry("copy", Kind.MAYBE_JSON_TO_LIST),
          Map.entry("entrypoint", Kind.MAYBE_JSON),
          Map.entry("env", Kind.NAME_VAL),
          Map.entry("expose", Kind.WHITESPACE),
          Map.entry("from", Kind.WHITESPACE),
          Map.entry("healthcheck", Kind.HEALTH),
          Map.entry("label", Kind.NAME_VAL),
          Map.entry("maintainer", Kind.STRING),
          Map.entry("onbuild", Kind.SUB_COMMAND),
          Map.entry("run", Kind.MAYBE_JSON),
          Map.entry("shell", Kind.MAYBE_JSON),
          Map.entry("stopsignal", Kind.STRING),
          Map.entry("user", Kind.STRING),
          Map.entry("volume", Kind.MAYBE_JSON_TO_LIST),
          Map.entry("workdir", Kind.STRING));

  private LineParsers() {}

  /** Whether {@code keyword} (lower case) is an instruction. */
  static boolean known(String keyword) {
    return DISPATCH.containsKey(keyword);
  }

  /** ONBUILD is the only instruction whose arguments are another instruction. */
  static boolean isSubCommand(String keyword) {
    return DISPATCH.get(keyword) == Kind.SUB_COMMAND;
  }

  /**
   * @throws IllegalArgumentException with the parse error message
   */
  static Parsed parse(String keyword, String rest, char escape) {
    Kind kind = DISPATCH.get(keyword);
    if (kind == null) {
      return Parsed.NONE;
    }
    return switch (kind) {
      case MAYBE_JSON -> maybeJson(rest);
      case MAYBE_JSON_TO_LIST -> maybeJsonToList(rest);
      case WHITESPACE -> Parsed.of(Words.whitespaceDelimited(rest));
      case STRING -> rest.isEmpty() ? Parsed.NONE : Parsed.of(List.of(rest));
      case NAME_VAL -> nameVal(keyword, rest, escape);
      case NAME_OR_NAME_VAL -> Parsed.of(Words.parseWords(rest, escape));
      case HEALTH -> health(rest);
      case SUB_COMMAND -> Parsed.NONE; // the parser builds the child node
    };
  }

  /** The JSON array of strings in {@code rest}, or null if it is not a JSON array. */
  static List<String> json(String rest) {
    String trimmed = rest.stripLeading();
    if (!trimmed.startsWith("[")) {
      return null;
    }
    List<String> out = new ArrayList<>();
    boolean allStrings = true;
    try (JsonParser p = JSON.createParser(trimmed)) {
      if (p.nextToken() != JsonToken.START_ARRAY) {
        return null;
      }
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
        if (t == JsonToken.VALUE_STRING) {
          out.add(p.getText());
        } else {
          allStrings = false;
          p.skipChildren(); // a nested array or object is read through, to the end's syntax check
        }
      }
      if (p.nextToken() != null) {
        return null; // more after the array: not JSON, the shell form applies
      }
    } catch (IOException e) {
      return null; // not JSON: the shell form applies
    }
    // Only a well-formed array decides the form: then every element must be a string.
    if (!allStrings) {
      throw new IllegalArgumentException(ParseErrors.notStringArray());
    }
    return out;
  }

  private static Parsed maybeJson(String rest) {
    if (rest.isEmpty()) {
      return Parsed.NONE;
    }
    List<String> array = json(rest);
    if (array != null) {
      return new Parsed(array, true, false);
    }
    return Parsed.of(List.of(rest));
  }

  private static Parsed maybeJsonToList(String rest) {
    List<String> array = json(rest);
    if (array != null) {
      return new Parsed(array, true, false);
    }
    return Parsed.of(Words.whitespaceDelimited(rest));
  }

  private static Parsed nameVal(String keyword, String rest, char escape) {
    List<String> words = Words.parseWords(rest, escape);
    if (words.isEmpty()) {
      return Parsed.NONE;
    }
    String key = keyword.toUpperCase(java.util.Locale.ROOT);
    if (!words.get(0).contains("=")) {
      // Legacy form: KEY name value-with-spaces
      String[] parts = Words.WHITESPACE.split(rest, 2);
      if (parts.length < 2) {
        throw new IllegalArgumentException(ParseErrors.twoArguments(key));
      }
      return new Parsed(List.of(parts[0], parts[1]), false, true);
    }
    List<String> args = new ArrayList<>();
    for (String word : words) {
      int eq = word.indexOf('=');
      if (eq < 0) {
        throw new IllegalArgumentException(ParseErrors.missingEquals(word));
      }
      args.add(word.substring(0, eq));
      args.add(word.substring(eq + 1));
    }
    return Parsed.of(args);
  }

  private static Parsed health(String rest) {
    int sep = 0;
    while (sep < rest.length() && !Character.isWhitespace(rest.charAt(sep))) {
      sep++;
    }
    if (sep == 0) {
      return Parsed.NONE;
    }
    int next = sep;
    while (next < rest.length() && Character.isWhitespace(rest.charAt(next))) {
      next++;
    }
    Parsed command = maybeJson(rest.substring(next));
    List<String> args = new ArrayList<>();
    args.add(rest.substring(0, sep));
    args.addAll(command.args());
    return new Parsed(args, command.json(), false);
  }
}
