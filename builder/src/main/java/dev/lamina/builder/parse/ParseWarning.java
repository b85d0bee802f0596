package dev.lamina.builder.parse;

/**
 * A problem the parser tolerates today.
 *
 * @param rule the lint rule it belongs to (e.g. {@code NoEmptyContinuation})
 * @param message what was found
 * @param range where
 */
public record ParseWarning(String rule, String message, SourceRange range) {}
