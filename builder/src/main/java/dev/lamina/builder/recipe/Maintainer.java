package dev.lamina.builder.recipe;

import dev.lamina.builder.parse.SourceRange;

/** {@code MAINTAINER name} (deprecated: use a label). */
public record Maintainer(String maintainer, SourceRange location) implements Instruction {
  @Override
  public String name() {
    return "MAINTAINER";
  }
}
