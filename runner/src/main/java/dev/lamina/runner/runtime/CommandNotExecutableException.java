package dev.lamina.runner.runtime;

/** The runtime could not start the container's command: it may not be executed ({@code 126}). */
public final class CommandNotExecutableException extends OciRuntimeException {
  public CommandNotExecutableException(String message) {
    super(message);
  }

  @Override
  public int exitCode() {
    return 126;
  }
}
