/**
 * BuildKit's Dockerfile checks ({@link dev.lamina.builder.lint.Linter}) and a JSON-ready dump of a
 * parsed recipe ({@link dev.lamina.builder.lint.RecipeDump}).
 *
 * <p>Allowed dependencies: {@code dev.lamina.builder.parse}, {@code dev.lamina.builder.recipe},
 * {@code dev.lamina.builder.expand}, {@code dev.lamina.layerfs.ref} (image reference syntax),
 * Jackson.
 */
package dev.lamina.builder.lint;
