package dev.lamina.runner;

import dev.lamina.runner.spec.ContainerOptions;
import java.util.List;

/**
 * A container to create: the image, the runtime options, and the container-level flags.
 *
 * @param name {@code --name}; generated (adjective_noun) when null
 * @param volumes {@code -v} values: {@code NAME:/ctr[:ro]}, {@code /host:/ctr[:ro]}, {@code /ctr}
 * @param autoRemove {@code --rm}: removed, with its anonymous volumes, when it exits
 * @param runtime {@code --runtime}: a name or an absolute path, given to the runner's {@link
 *     dev.lamina.runner.runtime.RuntimeSource}; its default when null
 * @param openStdin {@code -i}: for a detached container with a terminal, attached clients may type
 * @param network {@code --network} and its companions; when null, the host's or none as {@code
 *     options} says
 * @param mounts {@code --mount} binds and volumes, after the {@code -v} ones
 * @param settings labels, stop signal and timeout, restart policy and health check
 */
public record ContainerRequest(
    ContainerImage image,
    ContainerOptions options,
    String name,
    List<String> volumes,
    boolean autoRemove,
    String runtime,
    boolean openStdin,
    ContainerNetwork network,
    List<dev.lamina.runner.volume.VolumeSpec> mounts,
    ContainerSettings settings) {
  /** A request without {@code --mount}s or settings. */
  public ContainerRequest(
      ContainerImage image, ContainerOptions options, String name, List<String> volumes,
      boolean autoRemove, String runtime, boolean openStdin, ContainerNetwork network) {
    this(image, options, name, volumes, autoRemove, runtime, openStdin, network, null, null);
  }

  public ContainerRequest {
    mounts = mounts == null ? List.of() : List.copyOf(mounts);
    settings = settings == null ? ContainerSettings.DEFAULTS : settings;
    if (autoRemove && !settings.restart().name().equals("no")) {
      throw new IllegalArgumentException("conflicting options: --restart and --rm");
    }
    options = options == null ? ContainerOptions.defaults() : options;
    volumes = volumes == null ? List.of() : List.copyOf(volumes);
    if (network == null) {
      network =
          options.network() == dev.lamina.runner.spec.Network.NONE
              ? ContainerNetwork.parse("none", null)
              : ContainerNetwork.host();
    }
  }

  public ContainerRequest withNetwork(ContainerNetwork n) {
    return new ContainerRequest(image, options, name, volumes, autoRemove, runtime, openStdin, n, mounts, settings);
  }

  /** A request with only an image and options. */
  public static ContainerRequest of(ContainerImage image, ContainerOptions options) {
    return new ContainerRequest(image, options, null, List.of(), false, null, false, null);
  }

  public ContainerRequest withName(String n) {
    return new ContainerRequest(image, options, n, volumes, autoRemove, runtime, openStdin, network, mounts, settings);
  }

  public ContainerRequest withVolumes(List<String> v) {
    return new ContainerRequest(image, options, name, v, autoRemove, runtime, openStdin, network, mounts, settings);
  }

  public ContainerRequest withAutoRemove(boolean rm) {
    return new ContainerRequest(image, options, name, volumes, rm, runtime, openStdin, network, mounts, settings);
  }

  public ContainerRequest withOpenStdin(boolean open) {
    return new ContainerRequest(image, options, name, volumes, autoRemove, runtime, open, network, mounts, settings);
  }

  public ContainerRequest withRuntime(String r) {
    return new ContainerRequest(image, options, name, volumes, autoRemove, r, openStdin, network, mounts, settings);
  }

  public ContainerRequest withMounts(List<dev.lamina.runner.volume.VolumeSpec> m) {
    return new ContainerRequest(
        image, options, name, volumes, autoRemove, runtime, openStdin, network, m, settings);
  }

  public ContainerRequest withSettings(ContainerSettings s) {
    return new ContainerRequest(
        image, options, name, volumes, autoRemove, runtime, openStdin, network, mounts, s);
  }
}
