package dev.lamina.builder.lint;

import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The outcome of linting a recipe.
 *
 * @param warnings findings in line order, skipped rules left out
 * @param options the {@code # check=} directive in force
 */
public record LintReport(List<Warning> warnings, CheckOptions options) {
  public LintReport {
    warnings = List.copyOf(warnings);
  }

  /**
   * With {@code # check=error=true} and at least one warning: BuildKit's one-line failure, {@code
   * lint violation found for rules: A, B}.
   */
  public Optional<String> violation() {
    if (!options.error() || warnings.isEmpty()) {
      return Optional.empty();
    }
    TreeSet<String> rules = new TreeSet<>();
    for (Warning w : warnings) {
      rules.add(w.ruleName());
    }
    return Optional.of(Messages.violation(String.join(", ", rules)));
  }
}
