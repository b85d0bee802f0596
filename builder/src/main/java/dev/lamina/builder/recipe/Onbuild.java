package dev.lamina.builder.recipe;

import dev.lamina.builder.parse.SourceRange;

/**
 * {@code ONBUILD instruction}: a trigger stored in the image and run by builds based on it.
 *
 * @param trigger the parsed trigger (never ONBUILD, FROM or MAINTAINER)
 * @param expression the trigger's text as it is stored in the image config
 */
public record Onbuild(Instruction trigger, String expression, SourceRange location)
    implements Instruction {
  @Override
  public String name() {
    return "ONBUILD";
  }
}
