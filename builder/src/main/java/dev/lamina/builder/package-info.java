/**
 * The recipe language (Dockerfile/Containerfile): parser, typed instructions, variable expansion,
 * ignore files, the interpreter and the build cache. RUN steps go through {@code dev.lamina.runner}.
 *
 * <p>Allowed dependencies: {@code dev.lamina.runner}, {@code dev.lamina.layerfs}.
 */
package dev.lamina.builder;
