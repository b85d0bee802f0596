/**
 * Container networks through podman's network stack: bridge network definitions in the store
 * (podman's network JSON), address leases, network namespaces pinned at a file, {@code -p} specs,
 * and netavark's setup and teardown behind {@link dev.lamina.runner.network.Networks}, the one
 * entry the run seam calls. Lamina writes no firewall rule itself.
 *
 * <p>Allowed dependencies: {@code dev.lamina.layerfs} (JSON, atomic files, file locks) and {@code
 * dev.lamina.runner.internal}. Nothing here knows about containers' records or lifecycle: which
 * networks are in use is asked through {@link dev.lamina.runner.network.NetworkUsers}.
 */
package dev.lamina.runner.network;
