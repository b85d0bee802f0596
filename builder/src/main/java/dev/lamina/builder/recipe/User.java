package dev.lamina.builder.recipe;

import dev.lamina.builder.expand.Expander;
import dev.lamina.builder.expand.ExpansionException;
import dev.lamina.builder.parse.SourceRange;

/** {@code USER user[:group]}. */
public record User(String user, SourceRange location) implements Instruction {
  @Override
  public String name() {
    return "USER";
  }

  @Override
  public User expand(Expander e) throws ExpansionException {
    return new User(e.word(user), location);
  }
}
