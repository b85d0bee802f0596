/**
 * Build-context ignore files ({@code .dockerignore}, {@code .containerignore}, {@code
 * <recipe>.dockerignore}) with moby patternmatcher semantics: {@link
 * dev.lamina.builder.ignore.IgnoreRules}.
 *
 * <p>Allowed dependencies: the JDK, and {@link dev.lamina.builder.parse.RecipeText} to read the
 * file as bytes, as recipes are read.
 */
package dev.lamina.builder.ignore;
