package dev.lamina.builder.recipe;

import dev.lamina.builder.parse.SourceRange;

/** {@code CMD command}: shell form or exec form; an empty exec form when no argument was given. */
public record Cmd(CommandLine command, SourceRange location) implements Instruction {
  @Override
  public String name() {
    return "CMD";
  }
}
