/**
 * Lamina's storage layer: digests, the OCI model, the content store, reproducible layer writing,
 * safe layer extraction, overlay mounts and image transports.
 *
 * <p>Allowed dependencies: the JDK, commons-compress, bcprov-jdk18on, jackson-databind, jnr-posix,
 * jnr-ffi, zstd-jni. Nothing here knows about containers or recipes.
 */
package dev.lamina.layerfs;
