/**
 * Variable expansion with BuildKit's shell-lexer rules: {@link
 * dev.lamina.builder.expand.ShellWords} (the lexer) and {@link dev.lamina.builder.expand.Expander}
 * (one environment snapshot, which instructions expand).
 *
 * <p>Allowed dependencies: none outside the JDK.
 */
package dev.lamina.builder.expand;
