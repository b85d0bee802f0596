package dev.lamina.builder.recipe;

import dev.lamina.builder.expand.Expander;
import dev.lamina.builder.expand.ExpansionException;
import dev.lamina.builder.parse.SourceRange;
import java.util.ArrayList;
import java.util.List;

/** {@code ARG name[=default] ...}. */
public record Arg(List<ArgDefinition> args, SourceRange location) implements Instruction {
  public Arg {
    args = List.copyOf(args);
  }

  @Override
  public String name() {
    return "ARG";
  }

  /** Names and defaults expanded, all against the environment from before this instruction. */
  @Override
  public Arg expand(Expander e) throws ExpansionException {
    List<ArgDefinition> out = new ArrayList<>();
    for (ArgDefinition a : args) {
      out.add(
          new ArgDefinition(e.word(a.name()), a.hasDefault() ? e.word(a.defaultValue()) : null));
    }
    return new Arg(out, location);
  }
}
