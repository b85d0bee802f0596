package dev.lamina.cli;

import java.io.IOException;
import java.util.List;

/**
 * Applies an action to each argument as docker does: the argument is printed on success, a
 * one-line error on failure, and the others are still tried.
 */
final class Each {
  /** An action on one container or volume. */
  @FunctionalInterface
  interface Action {
    void apply(String ref) throws IOException;
  }

  private Each() {}

  /** Exit code 0 when every argument succeeded, else 125. */
  static int apply(List<String> refs, Action action) {
    int failed = 0;
    for (String ref : refs) {
      try {
        action.apply(ref);
        Output.out().println(ref);
      } catch (IOException | IllegalArgumentException e) {
        System.err.println("lamina: " + ErrorHandler.oneLine(e));
        failed++;
      }
    }
    return failed == 0 ? ExitCodes.OK : ExitCodes.ERROR;
  }
}
