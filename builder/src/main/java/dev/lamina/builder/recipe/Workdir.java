package dev.lamina.builder.recipe;

import dev.lamina.builder.expand.Expander;
import dev.lamina.builder.expand.ExpansionException;
import dev.lamina.builder.parse.SourceRange;

/** {@code WORKDIR path}. */
public record Workdir(String path, SourceRange location) implements Instruction {
  @Override
  public String name() {
    return "WORKDIR";
  }

  @Override
  public Workdir expand(Expander e) throws ExpansionException {
    return new Workdir(e.word(path), location);
  }
}
