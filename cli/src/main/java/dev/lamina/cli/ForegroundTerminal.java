package dev.lamina.cli;

import dev.lamina.runner.ContainerRequest;
import dev.lamina.runner.Containers;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * {@code lamina run -t} in the foreground: one thread is the container's monitor (it holds the
 * pty, keeps the log, serves the terminal), and this thread attaches this terminal to it as
 * {@code attach} does, from the container's first output on. So a foreground container with a
 * terminal has a log and can be attached from elsewhere, as with docker, and the window's size
 * follows this terminal. There are no detach keys: this process is the monitor, and the container
 * cannot outlive it.
 */
final class ForegroundTerminal {
  private ForegroundTerminal() {}

  /**
   * Runs the container of {@code request} on this terminal and returns its exit code; {@code
   * onCreated} runs on this thread once it exists, given its id (or null when it could not be
   * made).
   */
  static int run(
      Containers containers, ContainerRequest request, boolean interactive,
      java.util.function.Consumer<String> onCreated)
      throws IOException, InterruptedException {
    CompletableFuture<String> created = new CompletableFuture<>();
    FutureTask<Integer> container =
        new FutureTask<>(
            () ->
                containers.runForegroundOnTerminal(
                    request,
                    record -> created.complete(record.id()))) {
          @Override
          protected void done() {
            created.complete(null); // it failed before the container existed, if still pending
          }
        };
    Thread monitor = new Thread(container, "container");
    monitor.setDaemon(true);
    monitor.start();
    String id;
    try {
      id = created.get();
    } catch (ExecutionException cannotHappen) {
      id = null;
    }
    // On this thread: the store's lease is a lock of this thread's.
    onCreated.accept(id);
    if (id == null) {
      return result(container);
    }
    try {
      AttachCommand.attach(containers, id, null, interactive, true, true);
    } catch (IOException e) {
      // The container never ran (its monitor says why), or ended and went (--rm) before the
      // terminal saw its end; only a failure while it runs on is this terminal's to report.
      if (!container.isDone()) {
        System.err.println("lamina: " + ErrorHandler.oneLine(e));
      }
    }
    return result(container);
  }

  /** The container's exit code, or the monitor's failure as thrown by it. */
  private static int result(FutureTask<Integer> container)
      throws IOException, InterruptedException {
    try {
      return container.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IOException(cause);
    }
  }
}
