package dev.lamina.builder.recipe;

import dev.lamina.builder.expand.Expander;
import dev.lamina.builder.expand.ExpansionException;
import dev.lamina.builder.parse.SourceRange;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ADD [--chown=] [--chmod=] [--link] [--keep-git-dir] [--checksum=] [--exclude=]...
 * [--unpack[=bool]] src... dest}.
 *
 * @param sources source paths or URLs as written
 * @param inlineSources here-document sources
 * @param unpack the {@code --unpack} value, or null when not given (archives from the context are
 *     unpacked, remote ones are not)
 * @param keepGitDir the {@code --keep-git-dir} value, or null when not given
 * @param checksum the expected digest of a remote source, or null
 */
public record Add(
    List<String> sources,
    List<InlineFile> inlineSources,
    String destination,
    String chown,
    String chmod,
    boolean link,
    Boolean keepGitDir,
    String checksum,
    List<String> excludes,
    Boolean unpack,
    SourceRange location)
    implements Instruction {
  public Add {
    sources = List.copyOf(sources);
    inlineSources = List.copyOf(inlineSources);
    excludes = List.copyOf(excludes);
  }

  @Override
  public String name() {
    return "ADD";
  }

  @Override
  public Add expand(Expander e) throws ExpansionException {
    return new Add(
        e.eachWord(sources),
        expandInline(inlineSources, e),
        e.word(destination),
        opt(e, chown),
        opt(e, chmod),
        link,
        keepGitDir,
        opt(e, checksum),
        e.eachWord(excludes),
        unpack,
        location);
  }

  static String opt(Expander e, String value) throws ExpansionException {
    return value == null ? null : e.word(value);
  }

  /** Bodies of unquoted heredocs are expanded; quoted ones are copied verbatim. */
  static List<InlineFile> expandInline(List<InlineFile> files, Expander e)
      throws ExpansionException {
    List<InlineFile> out = new ArrayList<>();
    for (InlineFile f : files) {
      out.add(
          f.expand()
              ? new InlineFile(f.name(), e.heredoc(f.content()), true, f.fileDescriptor())
              : f);
    }
    return out;
  }
}
