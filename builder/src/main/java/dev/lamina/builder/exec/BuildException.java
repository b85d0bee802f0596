package dev.lamina.builder.exec;

import java.io.IOException;

/**
 * A build that cannot go on: a failing step, a missing source or image, an invalid value. The
 * message is one line, starting with the recipe location when there is one ({@code
 * Containerfile:7: COPY: "/app" not found in the build context}).
 */
public class BuildException extends IOException {
  public BuildException(String message) {
    super(message);
  }

  public BuildException(String message, Throwable cause) {
    super(message, cause);
  }
}
