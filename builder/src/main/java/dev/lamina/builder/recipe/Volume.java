package dev.lamina.builder.recipe;

import dev.lamina.builder.expand.Expander;
import dev.lamina.builder.expand.ExpansionException;
import dev.lamina.builder.parse.SourceRange;
import java.util.List;

/** {@code VOLUME ["/a", "/b"]} or {@code VOLUME /a /b}. */
public record Volume(List<String> paths, SourceRange location) implements Instruction {
  public Volume {
    paths = List.copyOf(paths);
  }

  @Override
  public String name() {
    return "VOLUME";
  }

  @Override
  public Volume expand(Expander e) throws ExpansionException {
    return new Volume(e.eachWord(paths), location);
  }
}
