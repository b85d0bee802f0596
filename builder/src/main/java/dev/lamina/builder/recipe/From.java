package dev.lamina.builder.recipe;

import dev.lamina.builder.expand.Expander;
import dev.lamina.builder.expand.ExpansionException;
import dev.lamina.builder.parse.SourceRange;

/**
 * {@code FROM [--platform=p] image [AS name]}: starts a stage. Expanded against the global ARGs.
 *
 * @param image the base image or an earlier stage's name, as written
 * @param platform the {@code --platform} value, or null
 * @param stageName the stage name in lower case, or null
 */
public record From(String image, String platform, String stageName, SourceRange location)
    implements Instruction {
  @Override
  public String name() {
    return "FROM";
  }

  @Override
  public From expand(Expander e) throws ExpansionException {
    return new From(e.word(image), platform == null ? null : e.word(platform), stageName, location);
  }
}
