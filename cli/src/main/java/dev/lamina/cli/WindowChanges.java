package dev.lamina.cli;

import sun.misc.Signal;

/** Runs an action whenever this process's terminal window changes size (SIGWINCH). */
final class WindowChanges {
  private WindowChanges() {}

  static void onChange(Runnable action) {
    try {
      Signal.handle(new Signal("WINCH"), s -> action.run());
    } catch (IllegalArgumentException unsupported) {
      // No such signal here: the size stays as it was at attach.
    }
  }
}
