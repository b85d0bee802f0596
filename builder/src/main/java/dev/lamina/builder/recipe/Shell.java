package dev.lamina.builder.recipe;

import dev.lamina.builder.parse.SourceRange;
import java.util.List;

/** {@code SHELL ["executable", "args"...]}: the shell for shell-form commands (JSON only). */
public record Shell(List<String> shell, SourceRange location) implements Instruction {
  public Shell {
    shell = List.copyOf(shell);
  }

  @Override
  public String name() {
    return "SHELL";
  }
}
