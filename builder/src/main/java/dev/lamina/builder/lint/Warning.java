package dev.lamina.builder.lint;

import dev.lamina.builder.parse.SourceRange;

/**
 * One lint finding.
 *
 * @param rule the rule that fired
 * @param message what is wrong, in BuildKit's wording
 * @param range the instruction's lines
 */
public record Warning(Rule rule, String message, SourceRange range) {
  /** The rule's name, e.g. {@code UndefinedVar}. */
  public String ruleName() {
    return rule.ruleName();
  }

  /** {@code Rule: message (line N)}, BuildKit's short form. */
  @Override
  public String toString() {
    return rule.ruleName() + ": " + message + " (line " + range.startLine() + ")";
  }
}
