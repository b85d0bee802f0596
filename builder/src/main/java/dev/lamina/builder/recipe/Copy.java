package dev.lamina.builder.recipe;

import dev.lamina.builder.expand.Expander;
import dev.lamina.builder.expand.ExpansionException;
import dev.lamina.builder.parse.SourceRange;
import java.util.List;

/**
 * {@code COPY [--from=] [--chown=] [--chmod=] [--link] [--parents] [--exclude=]... src... dest}.
 *
 * @param sources source paths as written
 * @param inlineSources here-document sources ({@code COPY <<EOF /dest})
 * @param from a stage name, index or image, or null for the build context
 * @param chown the owner, or null
 * @param chmod the mode, or null
 */
public record Copy(
    List<String> sources,
    List<InlineFile> inlineSources,
    String destination,
    String from,
    String chown,
    String chmod,
    boolean link,
    boolean parents,
    List<String> excludes,
    SourceRange location)
    implements Instruction {
  public Copy {
    sources = List.copyOf(sources);
    inlineSources = List.copyOf(inlineSources);
    excludes = List.copyOf(excludes);
  }

  @Override
  public String name() {
    return "COPY";
  }

  @Override
  public Copy expand(Expander e) throws ExpansionException {
    return new Copy(
        e.eachWord(sources),
        Add.expandInline(inlineSources, e),
        e.word(destination),
        Add.opt(e, from),
        Add.opt(e, chown),
        Add.opt(e, chmod),
        link,
        parents,
        e.eachWord(excludes),
        location);
  }
}
