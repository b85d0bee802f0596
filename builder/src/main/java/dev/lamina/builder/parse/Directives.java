package dev.lamina.builder.parse;

/**
 * The parser directives at the top of a recipe ({@code # syntax=}, {@code # escape=}, {@code #
 * check=}).
 *
 * @param escape the escape and line-continuation character, {@code \} (default) or {@code `}
 * @param syntax the {@code syntax} value, or null
 * @param check the {@code check} value (lint configuration), or null
 */
public record Directives(char escape, String syntax, String check) {
  /** No directives: backslash escape. */
  public static final Directives DEFAULT = new Directives('\\', null, null);

  public Directives {
    if (escape != '\\' && escape != '`') {
      throw new IllegalArgumentException(ParseErrors.invalidEscape(String.valueOf(escape)));
    }
  }
}
