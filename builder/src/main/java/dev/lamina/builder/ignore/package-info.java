/**
 * Build-context ignore files ({@code .dockerignore}, {@code .containerignore}, {@code
 * <recipe>.dockerignore}) with moby patternmatcher semantics: {@link
 * dev.lamina.builder.ignore.IgnoreRules}.
 *
 * <p>Allowed dependencies: none outside the JDK.
 */
package dev.lamina.builder.ignore;
