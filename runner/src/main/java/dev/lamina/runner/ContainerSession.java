package dev.lamina.runner;

import dev.lamina.runner.runtime.AttachClient;
import dev.lamina.runner.runtime.OciRuntime;
import dev.lamina.runner.runtime.SignalForwarder;
import java.io.IOException;
import java.util.List;

/**
 * A container started under its monitor (conmon) with this process attached from its first
 * output on: {@code run} in the foreground, {@code start -a}. This process waits for its end and
 * finishes it ({@link #await}); closing the session only detaches.
 */
public final class ContainerSession implements AutoCloseable {
  private final ContainerLifecycle lifecycle;
  private final String id;
  private final ProcessHandle monitor;
  private final AttachClient client;
  private final OciRuntime runtime;

  ContainerSession(
      ContainerLifecycle lifecycle, String id, ProcessHandle monitor, AttachClient client,
      OciRuntime runtime) {
    this.lifecycle = lifecycle;
    this.id = id;
    this.monitor = monitor;
    this.client = client;
    this.runtime = runtime;
  }

  /** The container's id. */
  public String id() {
    return id;
  }

  /** The attachment: the container's output from its start, its stdin or terminal. */
  public AttachClient client() {
    return client;
  }

  /**
   * While open, SIGINT, SIGTERM and SIGHUP this process receives go to the container instead
   * (which decides how to end, and its exit code is still recorded).
   */
  public SignalForwarder forwardSignals() {
    return new SignalForwarder(
        signal -> {
          try {
            runtime.kill(id, signal);
          } catch (IOException alreadyGone) {
            // Nothing left to signal.
          }
        },
        List.of("INT", "TERM", "HUP"));
  }

  /**
   * Waits until the container has ended and its monitor has gone, finishes the run (exit code
   * recorded, runtime state deleted, networks torn down, unmounted, removed with {@code --rm})
   * and returns its exit code (128 + the signal's number when a signal ended it).
   */
  public int await() throws IOException, InterruptedException {
    return lifecycle.awaitEnd(id, monitor);
  }

  /** Detaches: the container runs on under its monitor. */
  @Override
  public void close() {
    if (client != null) {
      client.close();
    }
  }
}
