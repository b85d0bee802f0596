package dev.lamina.builder.exec;

import dev.lamina.layerfs.io.RandomIds;
import dev.lamina.runner.runtime.OciRuntime;
import dev.lamina.runner.runtime.RuncRuntime;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names the runtime containers of one build's RUN steps, and makes sure none outlives the build.
 *
 * <p>Why a watchdog: should the build's process be killed (SIGKILL, an OOM kill), its {@code
 * runc run} children are told with SIGTERM, which they pass on to the step's first process; but
 * a shell that is PID 1 of its namespace ignores SIGTERM, and the step would run on, holding the
 * build's mounts. So the first RUN of a build starts a small process in a session of its own
 * that waits for the end of a pipe only this JVM holds; when the pipe closes (the build ended,
 * however), it kills and deletes every runtime container of this build that is left. After a
 * normal end there are none, and it exits at once.
 */
final class StepContainers implements AutoCloseable {
  private static final String WATCH =
      "cat >/dev/null; for id in $(\"$0\" --root \"$1\" list -q 2>/dev/null); do"
          + " case \"$id\" in \"$2\"*) \"$0\" --root \"$1\" kill \"$id\" KILL 2>/dev/null;"
          + " \"$0\" --root \"$1\" delete -f \"$id\" 2>/dev/null;; esac; done";

  private final String prefix = "lamina-build-" + RandomIds.hex64().substring(0, 8) + "-";
  private final AtomicInteger steps = new AtomicInteger();
  private Process watchdog;

  /**
   * A fresh container id for a step run by {@code runtime}, the watchdog started first when the
   * runtime is runc's kind (another cannot be listed the same way).
   */
  synchronized String newId(OciRuntime runtime) throws IOException {
    if (watchdog == null && runtime instanceof RuncRuntime runc) {
      watchdog =
          new ProcessBuilder(
                  "setsid", "sh", "-c", WATCH, runc.binary().toString(),
                  runc.stateRoot().toString(), prefix)
              .redirectOutput(Redirect.DISCARD)
              .redirectError(Redirect.DISCARD)
              .start();
    }
    return prefix + steps.incrementAndGet();
  }

  /** Closes the pipe: the watchdog removes what is left, and is waited for briefly. */
  @Override
  public synchronized void close() throws IOException {
    if (watchdog == null) {
      return;
    }
    watchdog.getOutputStream().close();
    try {
      if (!watchdog.waitFor(10, TimeUnit.SECONDS)) {
        watchdog.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
