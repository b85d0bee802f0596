package dev.lamina.runner.runtime;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * An OCI runtime (runc, crun) driven through its command line. Container ids are the runtime's;
 * each runtime keeps its state under its own {@code --root}, apart from other tools' containers.
 */
public interface OciRuntime {
  /** The runtime's name, as {@code --runtime} takes it ({@code runc}, {@code crun}). */
  String name();

  /**
   * Runs the container in the foreground: creates, starts and waits for it, then removes the
   * runtime's state unless {@code keep}. The container's stdio is {@code stdio}.
   *
   * @param keep leave the stopped container's state (and cgroup) for the caller to read, then
   *     {@link #delete}
   * @param forwardSignals pass SIGINT, SIGTERM, SIGHUP and SIGWINCH this process receives to the
   *     container
   * @return the container's exit code (128 + signal number when a signal killed it)
   * @throws OciRuntimeException when the runtime itself failed (the container never ran), with
   *     its error in plain words
   * @throws InterruptedException if the caller is interrupted while waiting; the container is
   *     killed first
   */
  int run(String id, Path bundle, Stdio stdio, boolean keep, boolean forwardSignals)
      throws IOException, InterruptedException;

  /**
   * Runs the container in the foreground without keeping its state and without forwarding
   * signals (see {@link #run(String, Path, Stdio, boolean, boolean)}).
   *
   * @throws OciRuntimeException when the runtime itself failed (the container never ran)
   * @throws InterruptedException if interrupted while waiting; the container is killed first
   */
  default int run(String id, Path bundle, Stdio stdio) throws IOException, InterruptedException {
    return run(id, bundle, stdio, false, false);
  }

  /**
   * Runs one more process in a running container and waits for it.
   *
   * @param process a runtime-spec {@code process} JSON file
   * @param forwardSignals pass the signals this process receives to the new process
   * @return its exit code
   * @throws OciRuntimeException when the runtime could not start it
   * @throws InterruptedException if interrupted while waiting; the process is killed
   */
  int exec(String id, Path process, Stdio stdio, boolean forwardSignals)
      throws IOException, InterruptedException;

  /**
   * Creates the container without starting its process ({@code create}); stdio is handed to it.
   *
   * @throws OciRuntimeException when the runtime refuses
   */
  void create(String id, Path bundle, Stdio stdio) throws IOException;

  /**
   * The command line with which a monitor (conmon) creates container {@code id} under this
   * runtime; empty for a runtime without runc's command line, whose containers run only through
   * {@link #run} in this process.
   */
  default java.util.Optional<RuntimeCommand> command(String id) throws IOException {
    return java.util.Optional.empty();
  }

  /**
   * Starts the process of a created container.
   *
   * @throws OciRuntimeException when the runtime refuses
   */
  void start(String id) throws IOException;

  /**
   * The runtime's view of the container; empty when it does not know the id.
   *
   * @throws OciRuntimeException when the runtime fails for another reason
   */
  Optional<RuntimeState> state(String id) throws IOException;

  /**
   * Sends {@code signal} ({@code TERM}, {@code SIGKILL}, {@code 9}) to the container's process.
   *
   * @throws OciRuntimeException when the container is not running or unknown
   */
  void kill(String id, String signal) throws IOException;

  /** The container's use of CPU, memory and processes now. */
  ResourceUsage usage(String id) throws IOException;

  /**
   * The container's processes as the host's {@code ps} lists them ({@code ps -ef} unless {@code
   * psOptions} say otherwise), only those of the container.
   */
  String processes(String id, List<String> psOptions) throws IOException;

  /** Freezes every process of a running container (the cgroup freezer). */
  void pause(String id) throws IOException;

  /** Thaws a paused container. */
  void resume(String id) throws IOException;

  /**
   * Deletes the runtime's state of the container; {@code force} kills a running one first. An
   * unknown id is not an error.
   *
   * @throws OciRuntimeException when the runtime refuses
   */
  void delete(String id, boolean force) throws IOException;
}
