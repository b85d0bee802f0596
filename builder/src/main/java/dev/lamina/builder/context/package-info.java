/**
 * The build context: its directory and ignore rules ({@link
 * dev.lamina.builder.context.BuildContext}) and the content digests of its files ({@link
 * dev.lamina.builder.context.FileDigests}). Depends on layerfs and the builder's {@code ignore}
 * package.
 */
package dev.lamina.builder.context;
