package dev.lamina.builder.recipe;

import dev.lamina.builder.parse.SourceRange;

/**
 * {@code ENTRYPOINT command}: shell form or exec form; an empty exec form when no argument was
 * given.
 */
public record Entrypoint(CommandLine command, SourceRange location) implements Instruction {
  @Override
  public String name() {
    return "ENTRYPOINT";
  }
}
