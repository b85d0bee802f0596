package dev.lamina.runner.runtime;

import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;

/** Where a container's stdin, stdout and stderr go. */
public record Stdio(Redirect in, Redirect out, Redirect err) {
  /** This process's own stdin, stdout and stderr (foreground {@code run}). */
  public static Stdio inherit() {
    return new Stdio(Redirect.INHERIT, Redirect.INHERIT, Redirect.INHERIT);
  }

  /** No input; stdout and stderr appended to {@code log} (detached containers). */
  public static Stdio toLog(Path log) {
    Redirect append = Redirect.appendTo(log.toFile());
    return new Stdio(Redirect.from(Path.of("/dev/null").toFile()), append, append);
  }
}
