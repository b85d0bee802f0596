/**
 * ADD's git sources: which sources name git repositories ({@link dev.lamina.builder.git.GitUrl},
 * by BuildKit's rules), and resolving a ref to a commit and checking it out ({@link
 * dev.lamina.builder.git.GitCheckout}) with the host's {@code git}, run in a clean, time-limited
 * environment that reaches network remotes only.
 *
 * <p>Allowed dependencies: {@code dev.lamina.builder.copy}, {@code dev.lamina.builder.ignore},
 * {@code dev.lamina.layerfs}.
 */
package dev.lamina.builder.git;
