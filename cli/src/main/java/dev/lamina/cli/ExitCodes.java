package dev.lamina.cli;

/**
 * The exit codes of {@code lamina}, documented in the README. For {@code run}, the container's own
 * exit code is passed through; 125-127 follow Docker's meaning.
 */
public final class ExitCodes {
  private ExitCodes() {}

  /** Success. */
  public static final int OK = 0;

  /** A build failed (its recipe, a step, a missing source), as {@code docker build} exits. */
  public static final int BUILD_FAILED = 1;

  /** A check found problems ({@code system check} with corruption, {@code check} with errors). */
  public static final int CHECK_FAILED = 1;

  /** {@code attach} ended by the detach keys; the container runs on (docker's code). */
  public static final int DETACHED = 1;

  /** The command line was wrong (unknown flag, missing argument): 125, as docker and podman. */
  public static final int USAGE = 125;

  /** Lamina itself failed: bad input, missing image, I/O error, runtime error. */
  public static final int ERROR = 125;

  /** The container's command could not be invoked (not executable). */
  public static final int CANNOT_INVOKE = 126;

  /** The container's command was not found. */
  public static final int NOT_FOUND = 127;
}
