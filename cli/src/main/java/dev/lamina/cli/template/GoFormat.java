package dev.lamina.cli.template;

import java.util.List;
import java.util.Locale;

/**
 * Go's fmt.Sprintf for the verbs templates use: {@code %v %s %d %q %t %x %X %o %b %c %f %F %e %g
 * %%}, with the flags {@code - + # 0} and space, a width and a precision. A verb without an
 * argument prints {@code %!v(MISSING)}, a verb the value does not fit {@code %!d(string=x)}, and
 * arguments left over {@code %!(EXTRA string=x)}, as Go's do.
 */
final class GoFormat {
  private GoFormat() {}

  static String sprintf(String format, List<Object> args) {
    StringBuilder out = new StringBuilder();
    int arg = 0;
    int i = 0;
    while (i < format.length()) {
      char c = format.charAt(i++);
      if (c != '%') {
        out.append(c);
        continue;
      }
      if (i >= format.length()) {
        out.append("%!(NOVERB)");
        break;
      }
      boolean minus = false;
      boolean plus = false;
      boolean zero = false;
      boolean space = false;
      boolean sharp = false;
      for (; i < format.length(); i++) {
        char f = format.charAt(i);
        if (f == '-') {
          minus = true;
        } else if (f == '+') {
          plus = true;
        } else if (f == '0') {
          zero = true;
        } else if (f == ' ') {
          space = true;
        } else if (f == '#') {
          sharp = true;
        } else {
          break;
        }
      }
      int width = -1;
      int start = i;
      while (i < format.length() && Character.isDigit(format.charAt(i))) {
        i++;
      }
      if (i > start) {
        width = Integer.parseInt(format.substring(start, i));
      }
      int precision = -1;
      if (i < format.length() && format.charAt(i) == '.') {
        i++;
        start = i;
        while (i < format.length() && Character.isDigit(format.charAt(i))) {
          i++;
        }
        precision = i > start ? Integer.parseInt(format.substring(start, i)) : 0;
      }
      if (i >= format.length()) {
        out.append("%!(NOVERB)");
        break;
      }
      char verb = format.charAt(i++);
      if (verb == '%') {
        out.append('%');
        continue;
      }
      if (arg >= args.size()) {
        out.append("%!").append(verb).append("(MISSING)");
        continue;
      }
      Object v = args.get(arg++);
      String s = verb(verb, v, precision, plus, space, sharp);
      boolean numeric = v instanceof Number && "dxXobfFeEgG".indexOf(verb) >= 0;
      out.append(pad(s, width, minus, zero && !minus && numeric));
    }
    if (arg < args.size()) {
      out.append("%!(EXTRA ");
      for (int k = arg; k < args.size(); k++) {
        if (k > arg) {
          out.append(", ");
        }
        Object v = args.get(k);
        out.append(Values.kind(v)).append('=').append(Values.print(v));
      }
      out.append(')');
    }
    return out.toString();
  }

  private static String verb(
      char verb, Object v, int precision, boolean plus, boolean space, boolean sharp) {
    boolean integer = v instanceof Long || v instanceof Integer;
    switch (verb) {
      case 'v' -> {
        if (sharp && v instanceof String s) {
          return quote(s);
        }
        if (integer && plus) {
          return signed(((Number) v).longValue(), true, false);
        }
        return Values.print(v);
      }
      case 's' -> {
        if (v instanceof String s) {
          return precision >= 0 && s.length() > precision ? s.substring(0, precision) : s;
        }
        if (v instanceof List<?> || v instanceof java.util.Map<?, ?>) {
          return Values.print(v);
        }
        return bad(verb, v);
      }
      case 'q' -> {
        if (v instanceof String s) {
          return quote(s);
        }
        if (integer) {
          return "'" + new String(Character.toChars(((Number) v).intValue())) + "'";
        }
        return bad(verb, v);
      }
      case 't' -> {
        return v instanceof Boolean b ? b.toString() : bad(verb, v);
      }
      case 'd' -> {
        return integer ? signed(((Number) v).longValue(), plus, space) : bad(verb, v);
      }
      case 'c' -> {
        return integer ? new String(Character.toChars(((Number) v).intValue())) : bad(verb, v);
      }
      case 'x', 'X', 'o', 'b' -> {
        String r;
        if (integer) {
          long n = ((Number) v).longValue();
          int radix = verb == 'o' ? 8 : verb == 'b' ? 2 : 16;
          r = (n < 0 ? "-" : "") + Long.toString(Math.abs(n), radix);
          if (sharp) {
            r = (n < 0 ? "-" : "") + (verb == 'o' ? "0" : verb == 'b' ? "0b" : "0x")
                + r.substring(n < 0 ? 1 : 0);
          }
        } else if (v instanceof String s && (verb == 'x' || verb == 'X')) {
          StringBuilder sb = new StringBuilder();
          for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            sb.append(String.format("%02x", b & 0xff));
          }
          r = sb.toString();
        } else {
          return bad(verb, v);
        }
        return verb == 'X' ? r.toUpperCase(Locale.ROOT) : r;
      }
      case 'f', 'F', 'e', 'E', 'g', 'G' -> {
        if (!(v instanceof Number n)) {
          return bad(verb, v);
        }
        if (integer) {
          return bad(verb, v);
        }
        double d = n.doubleValue();
        String r;
        if (verb == 'g' || verb == 'G') {
          r = precision < 0 ? Values.floating(d)
              : String.format(Locale.ROOT, "%." + Math.max(precision, 1) + "g", d);
        } else if (verb == 'e' || verb == 'E') {
          r = String.format(Locale.ROOT, "%." + (precision < 0 ? 6 : precision) + "e", d);
        } else {
          r = String.format(Locale.ROOT, "%." + (precision < 0 ? 6 : precision) + "f", d);
        }
        if (plus && d >= 0) {
          r = "+" + r;
        }
        return Character.isUpperCase(verb) ? r.toUpperCase(Locale.ROOT) : r;
      }
      default -> {
        return "%!" + verb + "(" + Values.kind(v) + "=" + Values.print(v) + ")";
      }
    }
  }

  private static String signed(long n, boolean plus, boolean space) {
    String r = Long.toString(n);
    if (n >= 0 && plus) {
      return "+" + r;
    }
    if (n >= 0 && space) {
      return " " + r;
    }
    return r;
  }

  private static String bad(char verb, Object v) {
    return "%!" + verb + "(" + Values.kind(v) + "=" + Values.print(v) + ")";
  }

  /** Go's %q: a double-quoted string with Go escapes. */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder();
    Values.quote(s, sb);
    return sb.toString();
  }

  private static String pad(String s, int width, boolean left, boolean zeros) {
    int len = s.codePointCount(0, s.length());
    if (width <= len) {
      return s;
    }
    String fill = (zeros ? "0" : " ").repeat(width - len);
    if (left) {
      return s + fill;
    }
    if (zeros && (s.startsWith("-") || s.startsWith("+"))) {
      return s.charAt(0) + fill + s.substring(1);
    }
    return fill + s;
  }
}
