package dev.lamina.builder.recipe;

import dev.lamina.builder.parse.Directives;
import dev.lamina.builder.parse.ParseWarning;
import java.util.List;
import java.util.Optional;

/**
 * A parsed recipe: global ARGs (before the first FROM) and stages.
 *
 * @param name the recipe's name used in messages
 * @param directives the parser directives
 * @param globalArgs the ARG instructions before the first FROM (visible to every FROM)
 * @param stages the stages in order; never empty
 * @param warnings problems the parser tolerated
 */
public record Recipe(
    String name,
    Directives directives,
    List<Arg> globalArgs,
    List<Stage> stages,
    List<ParseWarning> warnings) {
  public Recipe {
    globalArgs = List.copyOf(globalArgs);
    stages = List.copyOf(stages);
    warnings = List.copyOf(warnings);
  }

  /** The stage called {@code nameOrIndex} (case-insensitive), or at that index. */
  public Optional<Stage> stage(String nameOrIndex) {
    for (Stage s : stages) {
      if (nameOrIndex.equalsIgnoreCase(s.name())) {
        return Optional.of(s);
      }
    }
    if (nameOrIndex.matches("\\d{1,9}")) {
      int i = Integer.parseInt(nameOrIndex);
      if (i < stages.size()) {
        return Optional.of(stages.get(i));
      }
    }
    return Optional.empty();
  }

  /** The last stage: what a build without a target produces. */
  public Stage finalStage() {
    return stages.get(stages.size() - 1);
  }
}
