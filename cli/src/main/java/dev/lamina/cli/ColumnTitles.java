package dev.lamina.cli;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** The column titles of a {@code --format 'table ...'} header row. */
final class ColumnTitles {
  private ColumnTitles() {}

  /**
   * A title for each of {@code fields}: the command's own ({@code ID} is {@code CONTAINER ID} in
   * {@code ps}), else the field's name split into upper-case words ({@code CreatedAt} is {@code
   * CREATED AT}), as docker's are.
   */
  static Map<String, String> of(Collection<String> fields, Map<String, String> own) {
    Map<String, String> titles = new LinkedHashMap<>();
    for (String f : fields) {
      titles.put(f, own.getOrDefault(f, words(f)));
    }
    own.forEach(titles::putIfAbsent);
    return titles;
  }

  /** {@code CreatedAt} → {@code CREATED AT}; {@code ID} and {@code IPv6} stay whole. */
  static String words(String field) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (i > 0 && Character.isUpperCase(c) && Character.isLowerCase(field.charAt(i - 1))) {
        sb.append(' ');
      }
      sb.append(Character.toUpperCase(c));
    }
    return sb.toString();
  }
}
