package dev.lamina.cli;

import dev.lamina.builder.exec.Progress;

/**
 * A build's plain progress with its error and warning lines made printable and cut as the final
 * error line is ({@link Excerpts#line}): a failed step quotes its instruction, which may be a
 * 1 MB {@code RUN} line. The step's own output and its name are printed as they are.
 */
final class ShortMessages implements Progress {
  private final Progress delegate;

  private ShortMessages(Progress delegate) {
    this.delegate = delegate;
  }

  static Progress of(Progress delegate) {
    return new ShortMessages(delegate);
  }

  @Override
  public Step begin(String name) {
    Step step = delegate.begin(name);
    return new Step() {
      @Override
      public void log(String line) {
        step.log(line);
      }

      @Override
      public void explain(String text) {
        step.explain(text);
      }

      @Override
      public void cached() {
        step.cached();
      }

      @Override
      public void done() {
        step.done();
      }

      @Override
      public void failed(String message) {
        step.failed(lines(message));
      }
    };
  }

  @Override
  public void message(String text) {
    delegate.message(lines(text));
  }

  /** Each line of {@code text} through {@link Excerpts#line}, the line breaks kept. */
  private static String lines(String text) {
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      lines[i] = Excerpts.line(lines[i]);
    }
    return String.join("\n", lines);
  }
}
