package dev.lamina.builder.parse;

import java.util.regex.Pattern;

/**
 * A here-document attached to a RUN, COPY or ADD instruction ({@code <<EOF}, {@code <<-EOF}, {@code
 * <<"EOF"}, {@code 3<<EOF}).
 *
 * @param name the delimiter word, quotes removed
 * @param fileDescriptor the number written before {@code <<}, 0 if none
 * @param expand whether variables in the body are expanded (false when any part of the delimiter
 *     was quoted)
 * @param chomp whether the {@code <<-} form was used: leading tabs are removed from every line
 * @param content the body as written, each line with its line ending, terminator excluded
 */
public record Heredoc(
    String name, int fileDescriptor, boolean expand, boolean chomp, String content) {
  private static final Pattern LEADING_TABS = Pattern.compile("(?m)^\\t+");

  public Heredoc {
    if (name == null || name.isEmpty() || content == null) {
      throw new IllegalArgumentException("heredoc needs a name and content");
    }
  }

  /** The body as the instruction sees it: with leading tabs removed for {@code <<-}. */
  public String effectiveContent() {
    return chomp ? LEADING_TABS.matcher(content).replaceAll("") : content;
  }

  Heredoc withContent(String newContent) {
    return new Heredoc(name, fileDescriptor, expand, chomp, newContent);
  }
}
