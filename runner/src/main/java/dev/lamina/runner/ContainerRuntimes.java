package dev.lamina.runner;

import dev.lamina.runner.runtime.OciRuntime;
import dev.lamina.runner.runtime.RuntimeNotFoundException;
import java.io.IOException;

/** The OCI runtime each container runs under, as its record names it. */
final class ContainerRuntimes {
  /** Gives the runtime a record names: a name, or an absolute path to a runtime binary. */
  @FunctionalInterface
  interface Source {
    OciRuntime select(String selector) throws IOException;
  }

  private final Source source;

  ContainerRuntimes(Source source) {
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
