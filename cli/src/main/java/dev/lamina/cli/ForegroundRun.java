package dev.lamina.cli;

import dev.lamina.runner.ContainerRequest;
import dev.lamina.runner.ContainerSession;
import dev.lamina.runner.Containers;
import dev.lamina.runner.runtime.SignalForwarder;
import dev.lamina.runner.spec.RuntimeSpec;
import java.io.IOException;

/**
 * {@code lamina run} in the foreground, as podman runs it: the container's monitor (conmon) holds
 * its stdio or terminal and keeps its log, and this process is attached to it from before its
 * start, passing this terminal's input on and its output out, and the signals it receives to the
 * container; then it finishes the container and exits with its code.
 */
final class ForegroundRun {
  private ForegroundRun() {}

  /**
   * Runs the container of {@code request} with this process's stdio, or on this terminal when it
   * has one ({@code -t}); {@code onCreated} is given its id once it exists, before it starts.
   */
  static int run(
      Containers containers, ContainerRequest request, boolean interactive,
      java.util.function.Consumer<String> onCreated)
      throws IOException, InterruptedException {
    boolean terminal = request.options().terminal();
    int[] size = terminal ? Terminals.size().orElse(new int[] {0, 0}) : new int[] {0, 0};
    ContainerSession session =
        containers.runAttached(
            request, created -> onCreated.accept(created.id()),
            new RuntimeSpec.ConsoleSize(size[0], size[1]));
    try {
      if (terminal) {
        // Without -i, Ctrl-C is a signal of this process's, passed on; with -i, a key. (From the
        // request, not the record: a quick --rm container may be gone already, its output held
        // by the attached session.)
        try (SignalForwarder signals = session.forwardSignals()) {
          AttachCommand.proxy(session.client(), null, interactive && request.openStdin());
        }
      } else {
        copy(session, interactive);
      }
    } finally {
      session.close();
    }
    return session.await();
  }

  /**
   * The container's stdout and stderr to this process's, until its end; with {@code
   * interactive} this process's stdin to the container's (its end ending the container's). The
   * signals this process receives go to the container meanwhile.
   */
  static void copy(ContainerSession session, boolean interactive) throws IOException {
    if (interactive) {
      Thread in = new Thread(() -> session.client().copyInput(System.in), "stdin");
      in.setDaemon(true);
      in.start();
    }
    try (SignalForwarder signals = session.forwardSignals()) {
      session.client().copyOutput(System.out, System.err);
    }
  }
}
