/**
 * The content store at {@code $LAMINA_ROOT}: verified, atomic, content-addressed blobs in an OCI
 * image layout ({@link dev.lamina.layerfs.store.Store}, {@link
 * dev.lamina.layerfs.store.BlobStore}), image names in its index.json ({@link
 * dev.lamina.layerfs.store.Images}), and the system commands
 * check, prune and df. Safe for several processes at once (file locks; see {@code FileLocks}).
 *
 * <p>Depends on {@code digest}, {@code oci} and {@code ref} only.
 */
package dev.lamina.layerfs.store;
