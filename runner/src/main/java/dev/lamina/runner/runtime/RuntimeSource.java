package dev.lamina.runner.runtime;

import java.io.IOException;

/**
 * Gives the runner the OCI runtime a container runs under. The caller chooses it: the CLI from
 * {@code --runtime} and the store's configuration ({@link OciRuntimes#source}), a test a runtime
 * that records its calls. A container's record keeps the selector it was created with, so that
 * every later command asks for the same runtime.
 */
@FunctionalInterface
public interface RuntimeSource {
  /**
   * The runtime {@code selector} names: a name such as {@code runc}, an absolute path to a runtime
   * binary, or null for the default.
   *
   * @throws RuntimeNotFoundException when it is not installed
   * @throws IllegalArgumentException for a name the source does not know
   */
  OciRuntime select(String selector) throws IOException;

  /** Always {@code runtime}, whatever a record names. */
  static RuntimeSource of(OciRuntime runtime) {
    return selector -> runtime;
  }
}
