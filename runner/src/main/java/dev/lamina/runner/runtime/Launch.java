package dev.lamina.runner.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Command prefixes (util-linux) that place a child process for a foreground runtime call.
 *
 * <p>Programs, not system calls: the session and the parent-death signal belong to the child, and
 * Java runs no code of its own between fork and exec (posix_spawn can make a session but knows no
 * parent-death signal). The two execs cost about 2 ms of CPU; loading a native binding to spawn
 * the child another way costs a short-lived CLI tens of milliseconds.
 */
final class Launch {
  private static final Path SETSID = Path.of("/usr/bin/setsid");
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
  private static volatile List<String> prefix;

  private Launch() {}

  /**
   * {@code setpriv --pdeathsig TERM}: SIGTERM when the parent dies; empty where setpriv is
   * missing.
   */
  static List<String> dyingWithParent() {
    return Files.isExecutable(SETPRIV)
        ? List.of(SETPRIV.toString(), "--pdeathsig", "TERM")
        : List.of();
  }

  /**
   * {@code setsid setpriv --pdeathsig TERM}: a new session, and SIGTERM when the parent dies. Both
   * exec the next command in place, so the child's pid is the runtime's. Parts missing on the host
   * are left out.
   */
  static List<String> ownSessionDyingWithParent() {
    List<String> p = prefix;
    if (p == null) {
      List<String> l = new ArrayList<>();
      if (Files.isExecutable(SETSID)) {
        l.add(SETSID.toString());
      }
      if (Files.isExecutable(SETPRIV)) {
        l.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "TERM"));
      }
      p = List.copyOf(l);
      prefix = p;
    }
    return p;
  }
}
