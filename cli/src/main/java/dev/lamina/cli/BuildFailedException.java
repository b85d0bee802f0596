package dev.lamina.cli;

/**
 * A build that failed once under way (a recipe error, a failed step, a missing source): {@code
 * lamina build} then exits 1, as {@code docker build} does, where a wrong command line is 125.
 */
final class BuildFailedException extends RuntimeException {
  BuildFailedException(Exception cause) {
    // The cause's own words are the message (ErrorHandler prints them once).
    super(cause);
  }
}
