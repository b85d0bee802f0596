/**
 * Image transports in skopeo's syntax ({@link dev.lamina.layerfs.transport.ImageLocation}): copying
 * images between the store and OCI layout directories, oci-archives and docker-archives ({@link
 * dev.lamina.layerfs.transport.ImageTransports}). Every blob crossing is verified; archive entry
 * names are never used as paths.
 *
 * <p>Depends on {@code store}, {@code digest}, {@code oci}, {@code ref}, commons-compress and
 * zstd-jni.
 */
package dev.lamina.layerfs.transport;
