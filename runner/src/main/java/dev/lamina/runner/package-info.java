/**
 * Containers: image config to OCI runtime spec, overlay root filesystems with disposable uppers, the
 * OCI runtime driver, lifecycle and state, logs and volumes.
 *
 * <p>Allowed dependencies: {@code dev.lamina.layerfs} and its libraries. Nothing here knows about
 * recipes.
 */
package dev.lamina.runner;
