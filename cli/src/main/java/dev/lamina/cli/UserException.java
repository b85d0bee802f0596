package dev.lamina.cli;

/** An expected failure with a message for the user and an exit code. */
public final class UserException extends RuntimeException {
  private final int exitCode;

  public UserException(String message) {
    this(message, ExitCodes.ERROR);
  }

  public UserException(String message, int exitCode) {
    super(message);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
