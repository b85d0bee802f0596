package dev.lamina.cli;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;

/**
 * This process's terminal in raw mode (no echo, no line editing, no signals from keys), so every
 * key reaches an attached container as typed; {@link #close} restores the settings it found,
 * also when the JVM is ended by a signal. Done with {@code stty} on the inherited stdin.
 */
final class RawTerminal implements AutoCloseable {
  private final String saved;
  private final Thread restoreOnExit;

  private RawTerminal(String saved) {
    this.saved = saved;
    this.restoreOnExit = new Thread(this::restore, "terminal-restore");
  }

  static RawTerminal enter() throws IOException, InterruptedException {
    String saved = stty("-g").strip();
    RawTerminal t = new RawTerminal(saved);
    Runtime.getRuntime().addShutdownHook(t.restoreOnExit);
    stty("raw", "-echo");
    return t;
  }

  /** Runs {@code stty} on this process's terminal and returns what it printed. */
  static String stty(String... args) throws IOException, InterruptedException {
    String[] cmd = new String[args.length + 1];
    cmd[0] = "stty";
    System.arraycopy(args, 0, cmd, 1, args.length);
    Process p = new ProcessBuilder(cmd)
        .redirectInput(Redirect.INHERIT)
        .redirectError(Redirect.DISCARD)
        .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IOException("stty " + String.join(" ", args) + " failed");
    }
    return out;
  }

  private void restore() {
    try {
      stty(saved);
    } catch (IOException | InterruptedException e) {
      // Nothing more to do for the terminal: `reset` repairs it.
    }
  }

  @Override
  public void close() {
    restore();
    try {
      Runtime.getRuntime().removeShutdownHook(restoreOnExit);
    } catch (IllegalStateException shuttingDown) {
      // The hook runs anyway.
    }
  }
}
