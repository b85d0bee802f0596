package dev.lamina.runner;

import dev.lamina.layerfs.io.RandomIds;
import dev.lamina.runner.health.HealthConfig;
import dev.lamina.runner.health.HealthState;
import dev.lamina.runner.runtime.OciRuntimeException;
import dev.lamina.runner.runtime.Stdio;
import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a container's health check ({@code lamina healthcheck run}) and keeps the result in its
 * record, and repeats it every interval while the container runs ({@link #watch}). A check is
 * its command run in the container as {@code exec} runs one, with its output kept (4 KiB); exit
 * 0 is healthy, anything else (or running past the timeout) a failure.
 */
public final class HealthChecks {
  /** How often a watcher looks whether its container still runs. */
  static final Duration WATCH_POLL = Duration.ofMillis(500);

  private final ContainerStore store;
  private final ContainerQueries queries;
  private final ContainerExec exec;

  HealthChecks(ContainerStore store, ContainerQueries queries, ContainerExec exec) {
    this.store = store;
    this.queries = queries;
    this.exec = exec;
  }

  /**
   * Runs the check once and records its result.
   *
   * @return the container's health afterwards
   * @throws ContainerException when it is not running or has no health check
   * @throws InterruptedException if interrupted while the check runs
   */
  public HealthState run(String ref) throws IOException, InterruptedException {
    ContainerRecord r = queries.inspect(ref);
    if (r.state() != ContainerState.RUNNING) {
      throw new ContainerException("container " + r.name() + " is not running");
    }
    HealthConfig config = r.healthcheck();
    if (config == null) {
      throw new ContainerException("container " + r.name() + " has no health check");
    }
    String start = Times.now();
    HealthState.Check check = check(r, config, start);
    boolean inStartPeriod =
        r.startedAt() != null
            && Instant.now().isBefore(Instant.parse(r.startedAt()).plus(config.startPeriod()));
    ContainerRecord after =
        store.update(
            r.id(),
            now -> {
              // A check of an earlier run says nothing about this one.
              if (now.state() != ContainerState.RUNNING
                  || !Objects.equals(now.startedAt(), r.startedAt())) {
                return now;
              }
              HealthState h = now.health() == null ? HealthState.starting() : now.health();
              return now.toBuilder()
                  .health(h.after(check, config.retries(), inStartPeriod))
                  .build();
            });
    if (after == null || after.health() == null) {
      throw new ContainerException("container " + r.name() + " is not running");
    }
    // Docker reports every check's outcome as "health_status: STATUS".
    store.report("health_status: " + after.health().status(), after, java.util.Map.of());
    return after.health();
  }

  private HealthState.Check check(ContainerRecord r, HealthConfig config, String start)
      throws IOException, InterruptedException {
    Path out = store.dir(r.id()).resolve("health-" + RandomIds.hex64().substring(0, 12) + ".out");
    File f = out.toFile();
    Stdio stdio =
        new Stdio(Redirect.from(new File("/dev/null")), Redirect.appendTo(f), Redirect.appendTo(f));
    ExecutorService runner = Executors.newSingleThreadExecutor(t -> {
      Thread th = new Thread(t, "health-check");
      th.setDaemon(true);
      return th;
    });
    int code;
    String message = null;
    try {
      Future<Integer> run =
          runner.submit(
              () -> exec.exec(r.id(), new ExecRequest(config.command(), null, null, null, false),
                  stdio));
      try {
        code = run.get(config.timeout().toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        run.cancel(true);
        code = -1;
        message = "Health check exceeded timeout (" + human(config.timeout()) + ")";
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        code = cause instanceof OciRuntimeException o ? o.exitCode() : 125;
        message = String.valueOf(cause.getMessage());
      }
      String output = message != null ? message : read(out);
      return new HealthState.Check(start, Times.now(), code, output);
    } finally {
      runner.shutdownNow();
      Files.deleteIfExists(out);
    }
  }

  private static String read(Path out) throws IOException {
    if (!Files.exists(out)) {
      return "";
    }
    byte[] b = Files.readAllBytes(out);
    int n = Math.min(b.length, HealthState.OUTPUT_MAX);
    return new String(b, 0, n, StandardCharsets.UTF_8);
  }

  private static String human(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  /**
   * Checks the container every interval while its current run lasts: waits for it to run (up to
   * a minute), then returns once it has stopped, been removed or started again (a later run has
   * a watcher of its own).
   *
   * @throws InterruptedException if interrupted
   */
  public void watch(String ref) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
    ContainerRecord r = queries.inspect(ref);
    while (r.state() == ContainerState.CREATED && Instant.now().isBefore(deadline)) {
      Thread.sleep(Times.POLL.toMillis());
      r = queries.inspect(ref);
    }
    String run = r.startedAt();
    while (r.healthcheck() != null) {
      // Waits for the next check while looking at the record often, so that a watcher of a
      // container that stopped or went does not outlive it by a whole interval (an hour, say).
      Instant due = Instant.now().plus(r.healthcheck().interval());
      while (Instant.now().isBefore(due)) {
        long left = Duration.between(Instant.now(), due).toMillis();
        Thread.sleep(Math.max(1, Math.min(left, WATCH_POLL.toMillis())));
        java.util.Optional<ContainerRecord> now = store.read(store.dir(r.id()));
        if (now.isEmpty() || now.get().state() != ContainerState.RUNNING
            || !Objects.equals(run, now.get().startedAt())) {
          return;
        }
      }
      try {
        run(r.id());
        r = queries.inspect(r.id());
      } catch (ContainerException stoppedOrRemoved) {
        return;
      }
    }
  }
}
