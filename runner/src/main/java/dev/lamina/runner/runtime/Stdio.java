package dev.lamina.runner.runtime;

import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;

/**
 * Where a container's stdin, stdout and stderr go.
 *
 * @param teeLog when set, {@code out} and {@code err} are this process's own stdout and stderr and
 *     every byte is also appended to this log (a foreground container keeps a log, as Docker's do)
 */
public record Stdio(Redirect in, Redirect out, Redirect err, Path teeLog) {
  private static final Redirect NO_INPUT = Redirect.from(Path.of("/dev/null").toFile());

  public Stdio(Redirect in, Redirect out, Redirect err) {
    this(in, out, err, null);
  }

  /** This process's own stdin, stdout and stderr (a terminal for {@code -t}), no log. */
  public static Stdio inherit() {
    return new Stdio(Redirect.INHERIT, Redirect.INHERIT, Redirect.INHERIT);
  }

  /**
   * Foreground without a terminal: stdin is this process's with {@code interactive} ({@code -i}),
   * else empty; stdout and stderr go to this process's and to {@code log}.
   */
  public static Stdio tee(boolean interactive, Path log) {
    return new Stdio(
        interactive ? Redirect.INHERIT : NO_INPUT, Redirect.PIPE, Redirect.PIPE, log);
  }

  /** No input; stdout and stderr appended to {@code log} (detached containers). */
  public static Stdio toLog(Path log) {
    Redirect append = Redirect.appendTo(log.toFile());
    return new Stdio(NO_INPUT, append, append);
  }

  /** Applies these redirects to {@code pb} (pipes when the output is teed). */
  ProcessBuilder applyTo(ProcessBuilder pb) {
    pb.redirectInput(in);
    if (teeLog != null) {
      return pb.redirectOutput(Redirect.PIPE).redirectError(Redirect.PIPE);
    }
    return pb.redirectOutput(out).redirectError(err);
  }
}
