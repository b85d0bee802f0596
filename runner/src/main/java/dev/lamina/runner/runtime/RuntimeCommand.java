package dev.lamina.runner.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How another program (the container's monitor, conmon) calls a runtime with runc's command line
 * to create one container: its executable, the global options that come before the verb, and the
 * JSON log those options point at, from which a failure is told in one line.
 *
 * @param name the runtime's name, for messages
 * @param log the runtime's log of the call, read by {@link #failure}
 */
public record RuntimeCommand(String name, Path binary, List<String> globalArgs, Path log) {
  public RuntimeCommand {
    globalArgs = List.copyOf(globalArgs);
  }

  /**
   * The failure of the call, from the runtime's log (typed as {@link RuntimeErrors#failure} types
   * it), else from {@code fallback}, what the runtime wrote elsewhere; the log is removed.
   */
  public OciRuntimeException failure(String fallback) throws IOException {
    try {
      String error = RuncRuntime.lastError(log).orElse(fallback == null ? "" : fallback.strip());
      return RuntimeErrors.failure(name, "create", error.isEmpty() ? "unknown error" : error);
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
