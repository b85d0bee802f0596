package dev.lamina.runner.spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The init process {@code --init} puts in front of a container's command, as podman does: a
 * host binary (catatonit, else tini) bound read-only at {@link #CONTAINER_PATH} and run as PID 1,
 * which reaps zombies and passes signals on to the command. It must be statically linked: it
 * runs on the image's libraries, if any.
 */
public final class InitBinary {
  /** Where the binary appears in the container (podman uses {@code /run/podman-init}). */
  public static final String CONTAINER_PATH = "/run/lamina-init";

  /** Looked for in order: podman's catatonit, Debian's catatonit, Debian's static tini. */
  static final List<Path> CANDIDATES =
      List.of(
          Path.of("/usr/libexec/podman/catatonit"),
          Path.of("/usr/bin/catatonit"),
          Path.of("/usr/bin/tini-static"),
          Path.of("/usr/bin/docker-init"));

  private InitBinary() {}

  /**
   * The host's init binary.
   *
   * @throws IllegalArgumentException when none is installed, naming the package to install
   */
  public static Path find() {
    for (Path p : CANDIDATES) {
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "--init needs catatonit or tini (apt-get install catatonit), or --init-path");
  }

  /** The process's argv under the init: {@code /run/lamina-init -- ARGS...}. */
  static List<String> wrap(List<String> args) {
    List<String> out = new java.util.ArrayList<>();
    out.add(CONTAINER_PATH);
    out.add("--");
    out.addAll(args);
    return List.copyOf(out);
  }
}
