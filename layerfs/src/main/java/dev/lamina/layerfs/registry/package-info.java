/**
 * The distribution API client: pushing images from the store to OCI registries and pulling them
 * back ({@link dev.lamina.layerfs.registry.RegistryPush}, {@link
 * dev.lamina.layerfs.registry.RegistryPull}) over a small HTTP/1.1 client of its own, with
 * anonymous, Basic and Bearer-token authentication ({@link
 * dev.lamina.layerfs.registry.AuthFiles} reads and writes the auth.json podman and docker use).
 * Every manifest and blob is verified against its digest and size while it streams; layers can be
 * compressed on the way out and the result is remembered ({@link
 * dev.lamina.layerfs.registry.CompressedBlobCache}).
 *
 * <p>Depends on {@code store}, {@code digest}, {@code oci}, {@code ref}, {@code compress},
 * jackson-databind and the JDK.
 */
package dev.lamina.layerfs.registry;
