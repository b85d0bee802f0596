package dev.lamina.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lamina.layerfs.oci.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The part of Go's text/template that {@code docker inspect --format} is used with, applied to one
 * inspected object: text, and actions {@code {{.A.B}}} (a field path; {@code .} for the whole),
 * {@code {{json .A}}}, {@code {{upper .A}}}, {@code {{lower .A}}}, {@code {{join .A ", "}}} and
 * {@code {{index .A "key"}}}. Values print as Go prints them: strings bare, {@code [a b]} for a
 * list, {@code map[k:v]} for an object, {@code <no value>} for a missing field. Anything else (a
 * {@code range}, a pipe) is refused with a clear error rather than printed wrong.
 */
final class InspectTemplate {
  private final String text;
  private final List<Object> parts;
  private final boolean strict;

  private InspectTemplate(String text, List<Object> parts, boolean strict) {
    this.text = text;
    this.parts = parts;
    this.strict = strict;
  }

  /**
   * This template applied to rows with a fixed set of fields (as {@code ps} and {@code images}
   * print): a field a row lacks is an error, as docker's templates over a Go struct fail with
   * "can't evaluate field", instead of printing {@code <no value>} as they do over a map
   * (inspect's JSON).
   */
  InspectTemplate strict() {
    return new InspectTemplate(text, parts, true);
  }

  /** An action: a function name (or none) and its arguments. */
  private record Action(String function, List<String> args) {}

  /**
   * Parses {@code template}.
   *
   * @throws UserException for an unclosed action, an empty one, or what this subset lacks
   */
  static InspectTemplate parse(String template) {
    List<Object> parts = new ArrayList<>();
    int at = 0;
    while (at < template.length()) {
      int open = template.indexOf("{{", at);
      if (open < 0) {
        parts.add(template.substring(at));
        break;
      }
      if (open > at) {
        parts.add(template.substring(at, open));
      }
      int close = template.indexOf("}}", open + 2);
      if (close < 0) {
        throw refused(template, "unclosed action");
      }
      parts.add(action(template, template.substring(open + 2, close).strip()));
      at = close + 2;
    }
    return new InspectTemplate(template, List.copyOf(parts), false);
  }

  private static Action action(String template, String text) {
    List<String> words = words(template, text);
    if (words.isEmpty()) {
      throw refused(template, "empty action");
    }
    String first = words.get(0);
    if (first.startsWith(".")) {
      if (words.size() != 1) {
        throw refused(template, "\"" + text + "\" is not supported");
      }
      return new Action(null, words);
    }
    int want = switch (first) {
      case "json", "upper", "lower" -> 1;
      case "join", "index" -> 2;
      default -> throw refused(template, "function \"" + first + "\" is not supported"
          + " (supported: json, upper, lower, join, index)");
    };
    if (words.size() != want + 1 || !words.get(1).startsWith(".")) {
      throw refused(template, "\"" + text + "\": " + first + " takes " + want
          + (want == 1 ? " field" : " arguments, a field first"));
    }
    return new Action(first, words.subList(1, words.size()));
  }

  /** Splits on blanks, keeping "quoted strings" whole (and unquoted). */
  private static List<String> words(String template, String text) {
    List<String> words = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '"') {
        int end = text.indexOf('"', i + 1);
        if (end < 0) {
          throw refused(template, "unclosed string");
        }
        words.add("\"" + text.substring(i + 1, end));
        i = end + 1;
      } else {
        int end = i;
        while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
          end++;
        }
        words.add(text.substring(i, end));
        i = end;
      }
    }
    return words;
  }

  private static UserException refused(String template, String why) {
    return new UserException("invalid --format " + template + ": " + why);
  }

  /** The template applied to {@code value} (as inspect prints it). */
  String apply(Object value) {
    JsonNode root = Json.mapper().valueToTree(value);
    StringBuilder out = new StringBuilder();
    for (Object part : parts) {
      if (part instanceof String text) {
        out.append(text);
        continue;
      }
      Action a = (Action) part;
      String field = a.args().get(0);
      if (strict) {
        String first = field.length() > 1 ? field.substring(1).split("\\.")[0] : "";
        if (!first.isEmpty() && (!root.isObject() || !root.has(first))) {
          List<String> known = new ArrayList<>();
          root.fieldNames().forEachRemaining(known::add);
          throw refused(text, "can't evaluate field " + first
              + " (fields: " + String.join(", ", known) + ")");
        }
      }
      JsonNode v = path(root, field);
      out.append(
          switch (a.function() == null ? "" : a.function()) {
            case "json" -> v == null ? "null" : v.toString();
            case "upper" -> go(v).toUpperCase(Locale.ROOT);
            case "lower" -> go(v).toLowerCase(Locale.ROOT);
            case "join" -> join(v, literal(a.args().get(1)));
            case "index" -> go(v == null ? null : v.get(literal(a.args().get(1))));
            default -> go(v);
          });
    }
    return out.toString();
  }

  /** {@code .A.B}: the field, or null when missing; {@code .} the whole. */
  private static JsonNode path(JsonNode root, String path) {
    JsonNode v = root;
    for (String name : path.substring(1).split("\\.")) {
      if (name.isEmpty()) {
        continue;
      }
      v = v == null || !v.isObject() ? null : v.get(name);
    }
    return v;
  }

  private static String literal(String word) {
    return word.startsWith("\"") ? word.substring(1) : word;
  }

  private static String join(JsonNode list, String separator) {
    if (list == null || !list.isArray()) {
      return go(list);
    }
    List<String> items = new ArrayList<>();
    list.forEach(item -> items.add(go(item)));
    return String.join(separator, items);
  }

  /** As Go's fmt prints a decoded JSON value. */
  private static String go(JsonNode v) {
    if (v == null || v.isMissingNode()) {
      return "<no value>";
    }
    if (v.isNull()) {
      return "<nil>";
    }
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isArray()) {
      List<String> items = new ArrayList<>();
      v.forEach(item -> items.add(go(item)));
      return "[" + String.join(" ", items) + "]";
    }
    if (v.isObject()) {
      List<String> entries = new ArrayList<>();
      List<String> keys = new ArrayList<>();
      v.fieldNames().forEachRemaining(keys::add);
      keys.sort(null); // Go prints a map's keys sorted
      for (String k : keys) {
        entries.add(k + ":" + go(v.get(k)));
      }
      return "map[" + String.join(" ", entries) + "]";
    }
    return v.asText();
  }
}
