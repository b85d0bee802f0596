/**
 * The {@code lamina} command line: picocli commands that only map options onto library calls.
 *
 * <p>Allowed dependencies: picocli and the other Lamina modules.
 */
package dev.lamina.cli;
