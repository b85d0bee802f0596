package dev.lamina.cli.template;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The values a template works on are plain ones (strings, numbers, booleans, lists, maps, null),
 * and {@link #MISSING} for a map key that is not there. This class prints them as Go's fmt does,
 * writes them as Go's encoding/json does, and tells true from false as Go's templates do.
 */
final class Values {
  private Values() {}

  /** A map key that is not there: Go's {@code <no value>}. */
  static final Object MISSING = new Object() {
    @Override
    public String toString() {
      return "<no value>";
    }
  };

  /**
   * A field given as a {@link java.util.function.Supplier} is worked out when it is used (a
   * column that costs a read only when a template asks for it).
   */
  static Object resolve(Object v) {
    return v instanceof java.util.function.Supplier<?> s ? s.get() : v;
  }

  /** As {@code fmt.Sprint} prints a value decoded from JSON: {@code [a b]}, {@code map[k:v]}. */
  static String print(Object v) {
    v = resolve(v);
    if (v == MISSING) {
      return "<no value>";
    }
    if (v == null) {
      return "<nil>";
    }
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof Double || v instanceof Float) {
      return floating(((Number) v).doubleValue());
    }
    if (v instanceof Collection<?> c) {
      List<String> items = new ArrayList<>();
      c.forEach(item -> items.add(print(item)));
      return "[" + String.join(" ", items) + "]";
    }
    if (v instanceof Map<?, ?> m) {
      List<String> entries = new ArrayList<>();
      sorted(m).forEach((k, value) -> entries.add(k + ":" + print(value)));
      return "map[" + String.join(" ", entries) + "]";
    }
    if (v instanceof TemplateMethod) {
      return "<method>";
    }
    return v.toString();
  }

  /** Go's {@code %v} of a float64: the shortest form, with an exponent when very large or small. */
  static String floating(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "+Inf" : "-Inf";
    }
    if (d == 0) {
      return "0";
    }
    BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    int exponent = b.precision() - b.scale() - 1;
    if (exponent < -4 || exponent >= 21) {
      String digits = b.unscaledValue().abs().toString();
      String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return (d < 0 ? "-" : "") + mantissa + "e" + (exponent < 0 ? "-" : "+")
          + (Math.abs(exponent) < 10 ? "0" : "") + Math.abs(exponent);
    }
    return b.toPlainString();
  }

  /** Go's truth: false, 0, nil, and empty strings, lists and maps are false. */
  static boolean truth(Object v) {
    if (v == null || v == MISSING) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof Number n) {
      return n.doubleValue() != 0;
    }
    if (v instanceof String s) {
      return !s.isEmpty();
    }
    if (v instanceof Collection<?> c) {
      return !c.isEmpty();
    }
    if (v instanceof Map<?, ?> m) {
      return !m.isEmpty();
    }
    return true;
  }

  /** Go's name for the kind of a value, for error messages. */
  static String kind(Object v) {
    if (v == MISSING || v == null) {
      return "nil";
    }
    if (v instanceof String) {
      return "string";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    if (v instanceof Double || v instanceof Float) {
      return "float64";
    }
    if (v instanceof Number) {
      return "int";
    }
    if (v instanceof Collection<?>) {
      return "slice";
    }
    if (v instanceof Map<?, ?>) {
      return "map";
    }
    return v.getClass().getSimpleName();
  }

  /** As Go's json.Marshal with HTML escaping off (docker's {@code json} function). */
  static String json(Object v) {
    StringBuilder sb = new StringBuilder();
    json(v, sb);
    return sb.toString();
  }

  private static void json(Object v, StringBuilder sb) {
    v = resolve(v);
    if (v == null || v == MISSING) {
      sb.append("null");
    } else if (v instanceof String s) {
      quote(s, sb);
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      sb.append(d == Math.rint(d) && Math.abs(d) < 1e21 ? String.valueOf((long) d) : floating(d));
    } else if (v instanceof Number || v instanceof Boolean) {
      sb.append(v);
    } else if (v instanceof Collection<?> c) {
      sb.append('[');
      boolean first = true;
      for (Object item : c) {
        if (!first) {
          sb.append(',');
        }
        first = false;
        json(item, sb);
      }
      sb.append(']');
    } else if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (e.getValue() instanceof TemplateMethod) {
          continue;
        }
        if (!first) {
          sb.append(',');
        }
        first = false;
        quote(String.valueOf(e.getKey()), sb);
        sb.append(':');
        json(e.getValue(), sb);
      }
      sb.append('}');
    } else {
      quote(v.toString(), sb);
    }
  }

  /** A JSON string, escaped as Go's encoder escapes one. */
  static void quote(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /** A map's entries in key order, as Go prints and ranges over maps. */
  static Map<String, Object> sorted(Map<?, ?> m) {
    Map<String, Object> s = new TreeMap<>();
    m.forEach((k, v) -> s.put(String.valueOf(k), v));
    return s;
  }
}
