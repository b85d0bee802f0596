package dev.lamina.runner.runtime;

import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;

/**
 * Where a container's stdin, stdout and stderr go.
 *
 * <p>{@link Redirect#PIPE} for {@code out} and {@code err} means "copied by this process": with
 * {@code echo} to its {@code System.out} and {@code System.err} (which a caller may have
 * replaced), and to {@code teeLog} too when it is set (a run through the runtime alone that keeps
 * a log). The copy goes on whatever happens to the log (see {@link OutputLog}).
 */
public record Stdio(Redirect in, Redirect out, Redirect err, OutputLog teeLog, boolean echo) {
  private static final Redirect NO_INPUT = Redirect.from(Path.of("/dev/null").toFile());

  public Stdio {
    if (teeLog != null && (out != Redirect.PIPE || err != Redirect.PIPE)) {
      throw new IllegalArgumentException("a log needs piped output");
    }
  }

  public Stdio(Redirect in, Redirect out, Redirect err) {
    this(in, out, err, null, true);
  }

  /**
   * Foreground without a terminal and without a log: stdin is this process's with {@code
   * interactive}, else empty; output is copied to {@code System.out} and {@code System.err}.
   */
  public static Stdio piped(boolean interactive) {
    return new Stdio(interactive ? Redirect.INHERIT : NO_INPUT, Redirect.PIPE, Redirect.PIPE);
  }

  /** This process's own stdin, stdout and stderr (a terminal for {@code -t}), no log. */
  public static Stdio inherit() {
    return new Stdio(Redirect.INHERIT, Redirect.INHERIT, Redirect.INHERIT);
  }

  /**
   * Foreground without a terminal: stdin is this process's with {@code interactive} ({@code -i}),
   * else empty; stdout and stderr go to this process's and to {@code log}.
   */
  public static Stdio tee(boolean interactive, OutputLog log) {
    return new Stdio(
        interactive ? Redirect.INHERIT : NO_INPUT, Redirect.PIPE, Redirect.PIPE, log, true);
  }

  /**
   * No input; stdout and stderr appended to {@code log}, through this
   * process: the container's pipe stays open whatever happens to the log.
   */
  public static Stdio toLog(OutputLog log) {
    return new Stdio(NO_INPUT, Redirect.PIPE, Redirect.PIPE, log, false);
  }

  /** Whether the output is copied by this process. */
  boolean piped() {
    return out == Redirect.PIPE;
  }

  /** Applies these redirects to {@code pb}. */
  ProcessBuilder applyTo(ProcessBuilder pb) {
    return pb.redirectInput(in).redirectOutput(out).redirectError(err);
  }
}
