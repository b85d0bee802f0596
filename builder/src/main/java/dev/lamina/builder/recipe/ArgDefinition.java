package dev.lamina.builder.recipe;

/**
 * One {@code name[=default]} of ARG.
 *
 * @param name the variable name
 * @param defaultValue the default as written, or null when none was given
 */
public record ArgDefinition(String name, String defaultValue) {
  /** Whether a default was given ({@code ARG a=} has an empty one). */
  public boolean hasDefault() {
    return defaultValue != null;
  }
}
