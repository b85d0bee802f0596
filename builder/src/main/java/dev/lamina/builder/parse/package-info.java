/**
 * Recipe text to a located syntax tree ({@link dev.lamina.builder.parse.Parser}), following
 * BuildKit's Dockerfile parser: directives, comments, continuations, JSON/shell forms, heredocs.
 *
 * <p>Allowed dependencies: {@code dev.lamina.builder.expand} (to read heredoc delimiters), Jackson,
 * {@code dev.lamina.layerfs.posix.FileNames} (to read a recipe's bytes as names are read).
 */
package dev.lamina.builder.parse;
