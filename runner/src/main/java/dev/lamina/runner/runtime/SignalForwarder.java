package dev.lamina.runner.runtime;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * While open, SIGINT, SIGTERM and SIGHUP sent to this process (and SIGWINCH, for a terminal's
 * size) are passed on to the runtime process instead of ending the JVM; the runtime forwards them
 * to the container, so the container decides how to stop and its exit code is still recorded.
 * The runtime runs in a session of its own, so a Ctrl-C on the terminal reaches the container
 * once, through here, and not a second time through the terminal's process group. The previous
 * handlers come back on close.
 */
public final class SignalForwarder implements AutoCloseable {
  private static final List<String> FORWARDED = List.of("INT", "TERM", "HUP", "WINCH");

  private final List<Signal> signals = new ArrayList<>();
  private final List<SignalHandler> previous = new ArrayList<>();

  /** Forwards to {@code runtime}'s process. */
  SignalForwarder(Process runtime) {
    this(signal -> send(runtime, signal));
  }

  /** Forwards by calling {@code send} with the signal's name ({@code TERM}). */
  SignalForwarder(Consumer<String> send) {
    this(send, FORWARDED);
  }

  /** Forwards the signals {@code names} only, by calling {@code send}. */
  public SignalForwarder(Consumer<String> send, List<String> names) {
    for (String name : names) {
      Signal s = new Signal(name);
      SignalHandler handler = sig -> send.accept(sig.getName());
      try {
        previous.add(Signal.handle(s, handler));
        signals.add(s);
      } catch (IllegalArgumentException reservedByTheJvm) {
        // Not forwarded on this JVM.
      }
    }
  }

  private static void send(Process runtime, String signal) {
    if (!runtime.isAlive()) {
      return;
    }
    try {
      new ProcessBuilder("kill", "-s", signal, Long.toString(runtime.pid()))
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor();
    } catch (IOException e) {
      // The runtime already exited; nothing to forward to.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    for (int i = 0; i < signals.size(); i++) {
      Signal.handle(signals.get(i), previous.get(i));
    }
  }
}
