package dev.lamina.runner.runtime;

/** The runtime could not start the container's command: it is not there ({@code 127}). */
public final class CommandNotFoundException extends OciRuntimeException {
  public CommandNotFoundException(String message) {
    super(message);
  }

  @Override
  public int exitCode() {
    return 127;
  }
}
