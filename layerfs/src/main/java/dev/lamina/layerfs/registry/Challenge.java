package dev.lamina.layerfs.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 7235): a scheme ({@code basic}, {@code
 * bearer}) and its parameters, e.g. {@code Bearer realm="https://auth/token",service="reg"}.
 */
public record Challenge(String scheme, Map<String, String> params) {
  public Challenge {
    scheme = scheme.toLowerCase(Locale.ROOT);
    params = Map.copyOf(params);
  }

  /** A parameter (names are case-insensitive), or null. */
  public String param(String name) {
    return params.get(name.toLowerCase(Locale.ROOT));
  }

  /** Parses every challenge of the header values; unparseable parts are skipped. */
  public static List<Challenge> parse(List<String> headerValues) {
    List<Challenge> out = new ArrayList<>();
    for (String value : headerValues) {
      parseInto(value, out);
    }
    return out;
  }

  private static void parseInto(String s, List<Challenge> out) {
    int i = 0;
    int n = s.length();
    String scheme = null;
    Map<String, String> params = new LinkedHashMap<>();
    while (i < n) {
      while (i < n && (s.charAt(i) == ' ' || s.charAt(i) == ',')) {
        i++;
      }
      int start = i;
      while (i < n && isToken(s.charAt(i))) {
        i++;
      }
      if (i == start) {
        i++; // stray character
        continue;
      }
      String word = s.substring(start, i);
      int j = i;
      while (j < n && s.charAt(j) == ' ') {
        j++;
      }
      if (j < n && s.charAt(j) == '=' && scheme != null) {
        j++;
        while (j < n && s.charAt(j) == ' ') {
          j++;
        }
        StringBuilder v = new StringBuilder();
        if (j < n && s.charAt(j) == '"') {
          j++;
          while (j < n && s.charAt(j) != '"') {
            if (s.charAt(j) == '\\' && j + 1 < n) {
              j++;
            }
            v.append(s.charAt(j++));
          }
          j++;
        } else {
          while (j < n && s.charAt(j) != ',' && s.charAt(j) != ' ') {
            v.append(s.charAt(j++));
          }
        }
        params.put(word.toLowerCase(Locale.ROOT), v.toString());
        i = j;
      } else {
        if (scheme != null) {
          out.add(new Challenge(scheme, params));
          params = new LinkedHashMap<>();
        }
        scheme = word;
      }
    }
    if (scheme != null) {
      out.add(new Challenge(scheme, params));
    }
  }

  private static boolean isToken(char c) {
    return Character.isLetterOrDigit(c) || "!#$%&'*+-.^_`|~/".indexOf(c) >= 0;
  }
}
