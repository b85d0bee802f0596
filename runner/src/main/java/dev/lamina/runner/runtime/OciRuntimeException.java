package dev.lamina.runner.runtime;

import java.io.IOException;

/** The OCI runtime failed or is missing; the message says why in one line. */
public class OciRuntimeException extends IOException {
  public OciRuntimeException(String message) {
    super(message);
  }

  /**
   * Docker's exit code for a container or exec process that could not be started because of this:
   * 125, or 127 when its command is not found ({@link CommandNotFoundException}) and 126 when it
   * cannot be executed ({@link CommandNotExecutableException}).
   */
  public int exitCode() {
    return 125;
  }
}
