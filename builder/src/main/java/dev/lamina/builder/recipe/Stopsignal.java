package dev.lamina.builder.recipe;

import dev.lamina.builder.expand.Expander;
import dev.lamina.builder.expand.ExpansionException;
import dev.lamina.builder.parse.SourceRange;

/** {@code STOPSIGNAL signal}. */
public record Stopsignal(String signal, SourceRange location) implements Instruction {
  @Override
  public String name() {
    return "STOPSIGNAL";
  }

  @Override
  public Stopsignal expand(Expander e) throws ExpansionException {
    return new Stopsignal(e.word(signal), location);
  }
}
