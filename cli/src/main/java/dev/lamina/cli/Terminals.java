package dev.lamina.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether this process's stdin is a terminal, which {@code -t} needs. */
final class Terminals {
  private Terminals() {}

  static boolean stdinIsTerminal() {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
      return target.startsWith("/dev/pts/")
          || target.startsWith("/dev/tty")
          || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** Docker's refusal of {@code -t} without a terminal. */
  static void requireTerminal() {
    if (!stdinIsTerminal()) {
      throw new UserException(
          "the input device is not a TTY (run without -t, or from a terminal)");
    }
  }
}
