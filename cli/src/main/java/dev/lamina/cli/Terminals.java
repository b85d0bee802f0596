package dev.lamina.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Whether this process's stdin is a terminal, which {@code -t} needs, and its size. */
final class Terminals {
  private Terminals() {}

  static boolean stdinIsTerminal() {
    return isTerminal(0);
  }

  /** Whether stdout is a terminal (not a pipe or file), which a binary stream must not go to. */
  static boolean stdoutIsTerminal() {
    return isTerminal(1);
  }

  private static boolean isTerminal(int fd) {
    try {
      String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
      return target.startsWith("/dev/pts/")
          || target.startsWith("/dev/tty")
          || target.equals("/dev/console");
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** This process's terminal's size as rows and columns, when stdin is a terminal. */
  static Optional<int[]> size() {
    if (!stdinIsTerminal()) {
      return Optional.empty();
    }
    try {
      String[] rc = RawTerminal.stty("size").strip().split("\\s+");
      int rows = Integer.parseInt(rc[0]);
      int columns = Integer.parseInt(rc[1]);
      return rows > 0 && columns > 0 ? Optional.of(new int[] {rows, columns}) : Optional.empty();
    } catch (IOException | InterruptedException | RuntimeException e) {
      return Optional.empty();
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
