package dev.lamina.builder.recipe;

/**
 * A here-document's body handed to RUN (as a script or file) or to COPY/ADD (as a source).
 *
 * @param name the delimiter word, also the file name for COPY/ADD
 * @param content the body with leading tabs already removed for {@code <<-}
 * @param expand whether variables in the body are expanded
 * @param fileDescriptor the descriptor written before {@code <<}, 0 if none
 */
public record InlineFile(String name, String content, boolean expand, int fileDescriptor) {}
