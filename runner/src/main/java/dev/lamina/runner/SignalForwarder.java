package dev.lamina.runner;

import dev.lamina.runner.runtime.OciRuntime;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * While open, SIGINT and SIGTERM sent to this process are passed to the container (through the
 * runtime's {@code kill}) instead of ending the JVM, so the container decides how to stop and its
 * exit code is still recorded. The previous handlers come back on close.
 */
final class SignalForwarder implements AutoCloseable {
  private static final List<String> FORWARDED = List.of("INT", "TERM");

  private final List<Signal> signals = new ArrayList<>();
  private final List<SignalHandler> previous = new ArrayList<>();

  SignalForwarder(OciRuntime runtime, String id) {
    for (String name : FORWARDED) {
      Signal s = new Signal(name);
      SignalHandler handler =
          sig -> {
            try {
              runtime.kill(id, sig.getName());
            } catch (IOException e) {
              // The container already exited; nothing to forward to.
            }
          };
      previous.add(Signal.handle(s, handler));
      signals.add(s);
    }
  }

  @Override
  public void close() {
    for (int i = 0; i < signals.size(); i++) {
      Signal.handle(signals.get(i), previous.get(i));
    }
  }
}
