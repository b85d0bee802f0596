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

  /**
   * Prints the outcomes of an action the library applied to many containers at once, in the
   * arguments' order, as {@link #apply} does; exit code 0 when every one succeeded, else 125.
   */
  static int report(List<dev.lamina.runner.Containers.Outcome> outcomes) {
    int failed = 0;
    for (dev.lamina.runner.Containers.Outcome o : outcomes) {
      if (o.failure() == null) {
        Output.out().println(o.ref());
      } else {
        System.err.println("lamina: " + ErrorHandler.oneLine(o.failure()));
        failed++;
      }
    }
    return failed == 0 ? ExitCodes.OK : ExitCodes.ERROR;
  }

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
