package dev.lamina.cli.template;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The functions a template may call: docker's ({@code json}, {@code join}, {@code split}, {@code
 * lower}, {@code upper}, {@code title}, {@code pad}, {@code truncate}) and Go's built-in ones
 * ({@code index}, {@code len}, {@code slice}, {@code print}, {@code printf}, {@code println},
 * {@code and}, {@code or}, {@code not}, {@code eq}, {@code ne}, {@code lt}, {@code le}, {@code
 * gt}, {@code ge}).
 */
final class Functions {
  private Functions() {}

  static final Set<String> NAMES = Set.copyOf(new TreeSet<>(List.of(
      "json", "join", "split", "lower", "upper", "title", "pad", "truncate", "index", "len",
      "slice", "print", "printf", "println", "and", "or", "not", "eq", "ne", "lt", "le", "gt",
      "ge")));

  /** Go's built-in functions this engine does not have. */
  private static final Set<String> LEFT_OUT = Set.of("html", "js", "urlquery", "call");

  /** Docker's functions, which in a table's header row give back the header's own text. */
  private static final Set<String> HEADER_PASS_THROUGH =
      Set.of("json", "join", "split", "lower", "upper", "title", "pad", "truncate");

  /** Refuses, at parse time as Go does, a function that is not here. */
  static void check(String name) {
    if (NAMES.contains(name)) {
      return;
    }
    String known = String.join(", ", new TreeSet<>(NAMES));
    if (LEFT_OUT.contains(name)) {
      throw new TemplateException("function \"" + name + "\" is not supported (supported: "
          + known + ")");
    }
    throw new TemplateException("function \"" + name + "\" not defined (supported: " + known + ")");
  }

  static boolean passesHeaderThrough(String name) {
    return HEADER_PASS_THROUGH.contains(name);
  }

  static Object call(String name, List<Object> a) {
    return switch (name) {
      case "json" -> {
        arity(name, a, 1);
        yield Values.json(a.get(0));
      }
      case "join" -> {
        arity(name, a, 2);
        List<String> items = new ArrayList<>();
        for (Object item : list(name, a.get(0))) {
          items.add(Values.print(item));
        }
        yield String.join(string(name, a.get(1)), items);
      }
      case "split" -> {
        arity(name, a, 2);
        yield split(string(name, a.get(0)), string(name, a.get(1)));
      }
      case "lower" -> {
        arity(name, a, 1);
        yield string(name, a.get(0)).toLowerCase(Locale.ROOT);
      }
      case "upper" -> {
        arity(name, a, 1);
        yield string(name, a.get(0)).toUpperCase(Locale.ROOT);
      }
      case "title" -> {
        arity(name, a, 1);
        yield title(string(name, a.get(0)));
      }
      case "pad" -> {
        arity(name, a, 3);
        String s = string(name, a.get(0));
        yield " ".repeat(Math.max(0, integer(name, a.get(1)))) + s
            + " ".repeat(Math.max(0, integer(name, a.get(2))));
      }
      case "truncate" -> {
        arity(name, a, 2);
        String s = string(name, a.get(0));
        int n = integer(name, a.get(1));
        yield s.codePointCount(0, s.length()) > n && n >= 0
            ? s.substring(0, s.offsetByCodePoints(0, n)) : s;
      }
      case "index" -> index(a);
      case "len" -> {
        arity(name, a, 1);
        Object v = a.get(0);
        if (v instanceof String s) {
          yield (long) s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        if (v instanceof Collection<?> c) {
          yield (long) c.size();
        }
        if (v instanceof Map<?, ?> m) {
          yield (long) m.size();
        }
        throw new TemplateException("error calling len: len of type " + Values.kind(v));
      }
      case "slice" -> slice(a);
      case "print" -> print(a);
      case "printf" -> {
        if (a.isEmpty()) {
          throw new TemplateException("wrong number of args for printf: want at least 1 got 0");
        }
        yield GoFormat.sprintf(string(name, a.get(0)), a.subList(1, a.size()));
      }
      case "println" -> {
        List<String> parts = new ArrayList<>();
        a.forEach(v -> parts.add(Values.print(v)));
        yield String.join(" ", parts) + "\n";
      }
      case "and" -> {
        atLeast(name, a, 1);
        Object last = null;
        for (Object v : a) {
          last = v;
          if (!Values.truth(v)) {
            break;
          }
        }
        yield last;
      }
      case "or" -> {
        atLeast(name, a, 1);
        Object last = null;
        for (Object v : a) {
          last = v;
          if (Values.truth(v)) {
            break;
          }
        }
        yield last;
      }
      case "not" -> {
        arity(name, a, 1);
        yield !Values.truth(a.get(0));
      }
      case "eq" -> {
        atLeast(name, a, 2);
        boolean any = false;
        for (Object other : a.subList(1, a.size())) {
          any |= compare(name, a.get(0), other) == 0;
        }
        yield any;
      }
      case "ne" -> {
        arity(name, a, 2);
        yield compare(name, a.get(0), a.get(1)) != 0;
      }
      case "lt" -> ordered(name, a) < 0;
      case "le" -> ordered(name, a) <= 0;
      case "gt" -> ordered(name, a) > 0;
      case "ge" -> ordered(name, a) >= 0;
      default -> throw new TemplateException("function \"" + name + "\" not defined");
    };
  }

  /** Go's fmt.Sprint: a space between operands when neither is a string. */
  private static String print(List<Object> a) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < a.size(); i++) {
      if (i > 0 && !(a.get(i) instanceof String) && !(a.get(i - 1) instanceof String)) {
        sb.append(' ');
      }
      sb.append(Values.print(a.get(i)));
    }
    return sb.toString();
  }

  /** Go's strings.Split: an empty separator splits between characters. */
  private static List<Object> split(String s, String sep) {
    List<Object> parts = new ArrayList<>();
    if (sep.isEmpty()) {
      s.codePoints().forEach(cp -> parts.add(new String(Character.toChars(cp))));
      return parts;
    }
    int from = 0;
    while (true) {
      int i = s.indexOf(sep, from);
      if (i < 0) {
        parts.add(s.substring(from));
        return parts;
      }
      parts.add(s.substring(from, i));
      from = i + sep.length();
    }
  }

  /** Go's strings.Title: the first letter of each word in upper case. */
  private static String title(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    boolean start = true;
    for (int i = 0; i < s.length(); ) {
      int cp = s.codePointAt(i);
      sb.appendCodePoint(start ? Character.toTitleCase(cp) : cp);
      start = !(Character.isLetterOrDigit(cp) || cp == '_' || cp == '\'');
      i += Character.charCount(cp);
    }
    return sb.toString();
  }

  /** {@code index X k1 k2...}: X[k1][k2]...; a missing map key gives no value, as Go's. */
  private static Object index(List<Object> a) {
    atLeast("index", a, 1);
    Object v = a.get(0);
    for (Object k : a.subList(1, a.size())) {
      if (v instanceof List<?> l) {
        int i = indexNumber(k);
        if (i < 0 || i >= l.size()) {
          throw new TemplateException("error calling index: index out of range: " + i);
        }
        v = l.get(i);
      } else if (v instanceof Map<?, ?> m) {
        if (!(k instanceof String key)) {
          throw new TemplateException("error calling index: value has type " + Values.kind(k)
              + "; should be string");
        }
        v = m.containsKey(key) ? Values.resolve(m.get(key)) : Values.MISSING;
      } else if (v instanceof String s) {
        int i = indexNumber(k);
        byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (i < 0 || i >= bytes.length) {
          throw new TemplateException("error calling index: index out of range: " + i);
        }
        v = (long) (bytes[i] & 0xff);
      } else if (v == null || v == Values.MISSING) {
        throw new TemplateException("error calling index: index of untyped nil");
      } else {
        throw new TemplateException("error calling index: can't index item of type "
            + Values.kind(v));
      }
    }
    return v;
  }

  /** {@code slice X i j}: X[i:j] of a list or string. */
  private static Object slice(List<Object> a) {
    atLeast("slice", a, 1);
    if (a.size() > 3) {
      throw new TemplateException("error calling slice: too many slice indexes: " + (a.size() - 1));
    }
    Object v = a.get(0);
    int len;
    if (v instanceof List<?> l) {
      len = l.size();
    } else if (v instanceof String s) {
      len = s.length();
    } else {
      throw new TemplateException("error calling slice: can't slice item of type "
          + Values.kind(v));
    }
    int from = a.size() > 1 ? indexNumber(a.get(1)) : 0;
    int to = a.size() > 2 ? indexNumber(a.get(2)) : len;
    if (from < 0 || to > len || from > to) {
      throw new TemplateException("error calling slice: index out of range: " + from + ":" + to);
    }
    return v instanceof List<?> l ? new ArrayList<Object>(l.subList(from, to))
        : ((String) v).substring(from, to);
  }

  private static int indexNumber(Object k) {
    if (k instanceof Long || k instanceof Integer) {
      return ((Number) k).intValue();
    }
    throw new TemplateException("error calling index: cannot index slice/array with type "
        + Values.kind(k));
  }

  private static int ordered(String name, List<Object> a) {
    arity(name, a, 2);
    Object x = a.get(0);
    if (x instanceof Boolean || x == null || x instanceof Collection<?> || x instanceof Map<?, ?>) {
      throw new TemplateException("error calling " + name + ": invalid type for comparison");
    }
    return compare(name, x, a.get(1));
  }

  /** Go's comparison of basic values: numbers by value, strings, booleans. */
  private static int compare(String name, Object x, Object y) {
    if (x instanceof Number n && y instanceof Number m) {
      return Double.compare(n.doubleValue(), m.doubleValue());
    }
    if (x instanceof String s && y instanceof String t) {
      return s.compareTo(t);
    }
    if (x instanceof Boolean b && y instanceof Boolean c) {
      return b.equals(c) ? 0 : 1;
    }
    if ((x == null || x == Values.MISSING) && (y == null || y == Values.MISSING)) {
      return 0;
    }
    if (x == null || x == Values.MISSING || y == null || y == Values.MISSING) {
      return 1;
    }
    throw new TemplateException("error calling " + name + ": incompatible types for comparison");
  }

  private static void arity(String name, List<Object> a, int n) {
    if (a.size() != n) {
      throw new TemplateException("wrong number of args for " + name + ": want " + n + " got "
          + a.size());
    }
  }

  private static void atLeast(String name, List<Object> a, int n) {
    if (a.size() < n) {
      throw new TemplateException("wrong number of args for " + name + ": want at least " + n
          + " got " + a.size());
    }
  }

  static String string(String name, Object v) {
    if (v instanceof String s) {
      return s;
    }
    throw new TemplateException("error calling " + name + ": wrong type for value; expected"
        + " string; got " + Values.kind(v));
  }

  private static int integer(String name, Object v) {
    if (v instanceof Long || v instanceof Integer) {
      return ((Number) v).intValue();
    }
    throw new TemplateException("error calling " + name + ": wrong type for value; expected int;"
        + " got " + Values.kind(v));
  }

  private static Collection<?> list(String name, Object v) {
    if (v instanceof Collection<?> c) {
      return c;
    }
    throw new TemplateException("error calling " + name + ": wrong type for value; expected"
        + " []string; got " + Values.kind(v));
  }
}
