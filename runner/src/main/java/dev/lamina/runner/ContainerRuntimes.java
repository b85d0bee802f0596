package dev.lamina.runner;

import dev.lamina.runner.runtime.OciRuntime;
import dev.lamina.runner.runtime.RuntimeNotFoundException;
import dev.lamina.runner.runtime.RuntimeSource;
import java.io.IOException;

/** The OCI runtime each container runs under, as its record names it, from the runner's source. */
final class ContainerRuntimes {
  private final RuntimeSource source;

  ContainerRuntimes(RuntimeSource source) {
    this.source = source;
  }

  /** The runtime named {@code selector}. */
  OciRuntime select(String selector) throws IOException {
    return source.select(selector);
  }

  /** The runtime of {@code r}. */
  OciRuntime of(ContainerRecord r) throws IOException {
    return source.select(r.runtime());
  }

  /** Its runtime, or null when that cannot be found: nothing can run under it then. */
  OciRuntime ofIfAny(ContainerRecord r) throws IOException {
    try {
      return of(r);
    } catch (RuntimeNotFoundException | IllegalArgumentException gone) {
      return null;
    }
  }
}
