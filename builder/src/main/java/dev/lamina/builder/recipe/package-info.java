/**
 * Typed instructions ({@link dev.lamina.builder.recipe.Instruction}), stages and recipes; {@link
 * dev.lamina.builder.recipe.Recipes} is the entry point from text or file.
 *
 * <p>Allowed dependencies: {@code dev.lamina.builder.parse}, {@code dev.lamina.builder.expand}.
 */
package dev.lamina.builder.recipe;
