package dev.lamina.builder.recipe;

import dev.lamina.builder.expand.Expander;
import dev.lamina.builder.expand.ExpansionException;
import dev.lamina.builder.parse.SourceRange;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code LABEL k=v ...} or the legacy {@code LABEL k v}: pairs as written (quotes kept until
 * expanded).
 */
public record Label(List<KeyValue> pairs, SourceRange location) implements Instruction {
  public Label {
    pairs = List.copyOf(pairs);
  }

  @Override
  public String name() {
    return "LABEL";
  }

  /** Keys and values expanded, all against the environment from before this instruction. */
  @Override
  public Label expand(Expander e) throws ExpansionException {
    List<KeyValue> out = new ArrayList<>();
    for (KeyValue kv : pairs) {
      out.add(new KeyValue(e.word(kv.key()), e.word(kv.value())));
    }
    return new Label(out, location);
  }
}
