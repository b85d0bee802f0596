package dev.lamina.runner;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Applies a container's {@code --restart} policy once it has exited: whatever ran it (its
 * monitor, or {@code run} in the foreground) calls {@link #afterExit} then, and a container the
 * policy restarts is started again detached, after docker's back-off (100 ms, doubled at each
 * restart in a row up to a minute; back to 100 ms after a run of 10 seconds or more). Nothing
 * here survives a reboot: containers do not restart then.
 */
public final class RestartPolicies {
  static final Duration FIRST_DELAY = Duration.ofMillis(100);
  static final Duration MAX_DELAY = Duration.ofMinutes(1);
  static final Duration STABLE_RUN = Duration.ofSeconds(10);

  /** What {@link #afterExit} did. */
  public enum Outcome {
    /** The container runs again. */
    RESTARTED,
    /** Its policy (or a stop by the user, or a run meanwhile) leaves it as it is. */
    LEFT,
    /** It has been removed. */
    GONE
  }

  private final ContainerStore store;
  private final ContainerLifecycle lifecycle;

  RestartPolicies(ContainerStore store, ContainerLifecycle lifecycle) {
    this.store = store;
    this.lifecycle = lifecycle;
  }

  /**
   * Restarts container {@code id} if it has exited and its policy says so. Waits out the
   * back-off first; a {@code stop}, {@code kill}, {@code start} or {@code rm} meanwhile wins.
   *
   * @return what was done
   * @throws IOException if it cannot be started again (the record keeps the error)
   */
  public Outcome afterExit(String id) throws IOException {
    Optional<ContainerRecord> found = store.read(store.dir(id));
    if (found.isEmpty()) {
      return Outcome.GONE;
    }
    ContainerRecord r = found.get();
    if (!wantsRestart(r)) {
      return Outcome.LEFT;
    }
    Times.sleep(delay(r));
    // Taken under the lock: only one restart of this exit, and none after a stop meanwhile.
    ContainerRecord counted =
        store.update(
            r.id(),
            now -> wantsRestart(now) && now.finishedAt() != null
                    && now.finishedAt().equals(r.finishedAt())
                ? now.toBuilder().restartCount(now.restartCount() + 1).build()
                : now);
    if (counted == null) {
      return Outcome.GONE;
    }
    if (counted.restartCount() == r.restartCount()) {
      return Outcome.LEFT;
    }
    try {
      lifecycle.start(r.id());
    } catch (ContainerException runningAlready) {
      return Outcome.LEFT;
    }
    return Outcome.RESTARTED;
  }

  private static boolean wantsRestart(ContainerRecord r) {
    return r.state() == ContainerState.EXITED
        && r.restart().restarts(r.exitCode(), r.restartCount(), r.stoppedByUser());
  }

  /** Docker's back-off for the restart that follows the run {@code r} ended. */
  static Duration delay(ContainerRecord r) {
    if (r.startedAt() != null && r.finishedAt() != null) {
      Duration ran =
          Duration.between(Instant.parse(r.startedAt()), Instant.parse(r.finishedAt()));
      if (ran.compareTo(STABLE_RUN) >= 0) {
        return FIRST_DELAY;
      }
    }
    int doublings = Math.min(r.restartCount(), 10);
    Duration d = FIRST_DELAY.multipliedBy(1L << doublings);
    return d.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : d;
  }
}
