package dev.lamina.runner.network;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.store.StoreRoots;
import java.nio.file.Path;

/**
 * Where networks live. Bridges, routes and netavark's firewall rules belong to the host, not to a
 * store, so network state is host-wide too, as podman keeps it: every store on the host sees the
 * same networks and hands out addresses from the same leases, and netavark runs one call at a
 * time.
 *
 * <ul>
 *   <li>{@code config}: the network definitions ({@code NAME.json}, podman's format); as root
 *       {@code /etc/lamina/networks}, as a user {@code ~/.config/lamina/networks}. The
 *       default network is not written there unless its subnet had to be chosen.
 *   <li>{@code run}: the lock, the address leases, netavark's own state (aardvark-dns records)
 *       and each store's pinned namespaces; as root {@code /run/lamina/networks}, as a user
 *       {@code $XDG_RUNTIME_DIR/lamina/networks}. A tmpfs: a host restart, which takes every
 *       namespace, bridge and rule with it, takes these with them.
 * </ul>
 *
 * @param config the definitions
 * @param run the run-time state
 */
public record NetworkDirectories(Path config, Path run) {
  /** Overrides {@link #config} (podman's {@code --network-config-dir}). */
  public static final String CONFIG_ENV = "LAMINA_NETWORK_CONFIG_DIR";

  public NetworkDirectories {
    config = config.toAbsolutePath().normalize();
    run = run.toAbsolutePath().normalize();
  }

  /** Root's: {@code /etc/lamina/networks} and {@code /run/lamina/networks}. */
  public static NetworkDirectories system() {
    return new NetworkDirectories(Path.of("/etc/lamina/networks"), Path.of("/run/lamina/networks"));
  }

  /**
   * This process's: under the configuration and runtime directories {@link StoreRoots} gives
   * ({@code /etc/lamina} and {@code /run/lamina} for root, the user's own otherwise); {@value
   * #CONFIG_ENV} names another definitions directory.
   */
  public static NetworkDirectories standard() {
    NetworkDirectories d =
        new NetworkDirectories(
            StoreRoots.configDir().resolve("networks"), StoreRoots.runtimeDir().resolve("networks"));
    String config = System.getenv(CONFIG_ENV);
    return config != null && !config.isEmpty() ? d.withConfig(Path.of(config)) : d;
  }

  /** The same, with the definitions in {@code dir}. */
  public NetworkDirectories withConfig(Path dir) {
    return new NetworkDirectories(dir, run);
  }

  /** The lock that every definition change and every address allocation holds. */
  public Path lock() {
    return run.resolve(".lock");
  }

  /**
   * The lock every netavark setup and teardown holds: netavark's firewall and bridge changes are
   * read-modify-write of host-wide state, and two at once (from two stores) left rules behind.
   */
  public Path netavarkLock() {
    return run.resolve("netavark.lock");
  }

  /** netavark's {@code --config}: its own state, aardvark-dns's records among it. */
  public Path netavarkState() {
    return run.resolve("netavark");
  }

  /** The host ports containers publish: {@code ports/PROTO-PORT-IP} (see PublishedPorts). */
  public Path publishedPorts() {
    return run.resolve("ports");
  }

  /** The address leases: {@code leases/NAME.json}. */
  public Path leases() {
    return run.resolve("leases");
  }

  /**
   * A store's run-time network state: its containers' pinned namespaces and what netavark set up
   * for each; one directory per store, named by a hash of its path.
   */
  public Path store(Path laminaRoot) {
    String hash = Digest.sha256(laminaRoot.toAbsolutePath().normalize().toString()).hex();
    return run.resolve("stores").resolve(hash.substring(0, 16));
  }
}
