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
 */
public record ContainerRequest(
    ContainerImage image,
    ContainerOptions options,
    String name,
    List<String> volumes,
    boolean autoRemove,
    String runtime,
    boolean openStdin,
    ContainerNetwork network) {
  public ContainerRequest {
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
    return new ContainerRequest(image, options, name, volumes, autoRemove, runtime, openStdin, n);
  }

  /** A request with only an image and options. */
  public static ContainerRequest of(ContainerImage image, ContainerOptions options) {
    return new ContainerRequest(image, options, null, List.of(), false, null, false, null);
  }

  public ContainerRequest withName(String n) {
    return new ContainerRequest(image, options, n, volumes, autoRemove, runtime, openStdin, network);
  }

  public ContainerRequest withVolumes(List<String> v) {
    return new ContainerRequest(image, options, name, v, autoRemove, runtime, openStdin, network);
  }

  public ContainerRequest withAutoRemove(boolean rm) {
    return new ContainerRequest(image, options, name, volumes, rm, runtime, openStdin, network);
  }

  public ContainerRequest withOpenStdin(boolean open) {
    return new ContainerRequest(image, options, name, volumes, autoRemove, runtime, open, network);
  }

  public ContainerRequest withRuntime(String r) {
    return new ContainerRequest(image, options, name, volumes, autoRemove, r, openStdin, network);
  }
}
