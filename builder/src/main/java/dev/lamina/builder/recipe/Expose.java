package dev.lamina.builder.recipe;

import dev.lamina.builder.expand.Expander;
import dev.lamina.builder.expand.ExpansionException;
import dev.lamina.builder.parse.SourceRange;
import java.util.ArrayList;
import java.util.List;

/** {@code EXPOSE port[/proto]...}. */
public record Expose(List<String> ports, SourceRange location) implements Instruction {
  public Expose {
    ports = List.copyOf(ports);
  }

  @Override
  public String name() {
    return "EXPOSE";
  }

  /** Each port expanded and split into words: one variable may hold several ports. */
  @Override
  public Expose expand(Expander e) throws ExpansionException {
    List<String> out = new ArrayList<>();
    for (String p : ports) {
      out.addAll(e.words(p));
    }
    return new Expose(out, location);
  }
}
