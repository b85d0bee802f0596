package dev.lamina.runner.testing;

import dev.lamina.runner.runtime.OciRuntime;
import dev.lamina.runner.runtime.OciRuntimeException;
import dev.lamina.runner.runtime.OutputLog;
import dev.lamina.runner.runtime.ResourceUsage;
import dev.lamina.runner.runtime.RuntimeState;
import dev.lamina.runner.runtime.Stdio;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * An OCI runtime that runs nothing: it records each call as one line ({@code "run <id>"}, {@code
 * "kill <id> TERM"}, ...), keeps the states its calls imply, and ends each run with the exit code
 * it is told to, or fails to start it with the error it is told to. For tests of what the runner
 * asks of a runtime; what a real runtime does is tested with runc.
 */
public final class RecordingRuntime implements OciRuntime {
  private final List<String> calls = new ArrayList<>();
  private final Map<String, RuntimeState> states = new ConcurrentHashMap<>();
  private volatile int exitCode;
  private volatile OciRuntimeException startFailure;
  private volatile Path lastBundle;
  private volatile Consumer<Path> duringRun = bundle -> {};

  @Override
  public String name() {
    return "recording";
  }

  /** Every later run ends with {@code code}. */
  public RecordingRuntime exitingWith(int code) {
    this.exitCode = code;
    this.startFailure = null;
    return this;
  }

  /** Every later run fails to start, as a runtime that could not start its process. */
  public RecordingRuntime failingToStart(OciRuntimeException failure) {
    this.startFailure = failure;
    return this;
  }

  /** Gives {@code check} the bundle of each later run, while the run would be running. */
  public RecordingRuntime duringRun(Consumer<Path> check) {
    this.duringRun = check;
    return this;
  }

  /** The calls so far, one line each, in order. */
  public synchronized List<String> calls() {
    return List.copyOf(calls);
  }

  /** The bundle of the latest run, as it was when the run was asked for. */
  public Path lastBundle() {
    return lastBundle;
  }

  private synchronized void record(String call) {
    calls.add(call);
  }

  @Override
  public int run(String id, Path bundle, Stdio stdio, boolean keep, boolean forwardSignals)
      throws IOException {
    record("run " + id);
    try {
      return end(id, bundle, keep);
    } finally {
      closeOutputs(stdio.out(), stdio.err());
    }
  }

  /**
   * Opens the outputs the container was given as files, then closes them, as a process that writes
   * nothing does: a reader of a FIFO there sees its end. All are open before any is closed, as a
   * process's stdout and stderr are: opening a FIFO for writing waits for a reader, and a reader
   * that saw the end after the first close would never come back for a second open.
   */
  private static void closeOutputs(ProcessBuilder.Redirect... outputs) throws IOException {
    List<java.io.FileOutputStream> open = new ArrayList<>();
    try {
      for (ProcessBuilder.Redirect out : outputs) {
        if (out.file() != null && out.type() != ProcessBuilder.Redirect.Type.READ) {
          open.add(new java.io.FileOutputStream(out.file(), true));
        }
      }
    } finally {
      for (java.io.FileOutputStream o : open) {
        o.close();
      }
    }
  }

  private int end(String id, Path bundle, boolean keep) throws IOException {
    if (!Files.isRegularFile(bundle.resolve("config.json"))) {
      throw new OciRuntimeException("no config.json in the bundle " + bundle);
    }
    lastBundle = bundle;
    if (startFailure != null) {
      throw startFailure;
    }
    duringRun.accept(bundle);
    if (keep) {
      states.put(id, new RuntimeState(id, "stopped", 0, bundle.toString()));
    }
    return exitCode;
  }

  @Override
  public int exec(String id, Path process, Stdio stdio, boolean forwardSignals) {
    record("exec " + id);
    return exitCode;
  }

  @Override
  public void create(String id, Path bundle, Stdio stdio) {
    record("create " + id);
    states.put(id, new RuntimeState(id, "created", 1, bundle.toString()));
  }

  @Override
  public void start(String id) throws IOException {
    record("start " + id);
    RuntimeState s = known(id);
    states.put(id, new RuntimeState(id, "running", 1, s.bundle()));
  }

  @Override
  public Optional<RuntimeState> state(String id) {
    return Optional.ofNullable(states.get(id));
  }

  @Override
  public void kill(String id, String signal) throws IOException {
    record("kill " + id + " " + signal);
    known(id);
  }

  @Override
  public ResourceUsage usage(String id) throws IOException {
    known(id);
    return new ResourceUsage(0, 0, 0, 1);
  }

  @Override
  public String processes(String id, List<String> psOptions) throws IOException {
    known(id);
    return "";
  }

  @Override
  public void pause(String id) throws IOException {
    record("pause " + id);
    RuntimeState s = known(id);
    states.put(id, new RuntimeState(id, "paused", s.pid(), s.bundle()));
  }

  @Override
  public void resume(String id) throws IOException {
    record("resume " + id);
    RuntimeState s = known(id);
    states.put(id, new RuntimeState(id, "running", s.pid(), s.bundle()));
  }

  @Override
  public void delete(String id, boolean force) {
    record("delete " + id);
    states.remove(id);
  }

  private RuntimeState known(String id) throws OciRuntimeException {
    RuntimeState s = states.get(id);
    if (s == null) {
      throw new OciRuntimeException("container " + id + " does not exist");
    }
    return s;
  }
}
