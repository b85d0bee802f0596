package dev.lamina.runner;

import dev.lamina.runner.runtime.OutputLog;
import java.io.IOException;

/**
 * Keeps a running container's record up to date with how much of its output its log has left
 * out, so that {@code inspect} shows it while it runs. The record is written from a thread of its
 * own, never from the thread that copies the output (which must not wait on the store's lock),
 * and a write that fails (the store is still full) is tried again at the next look.
 */
final class LogDropRecorder implements AutoCloseable {
  private static final long LOOK_MILLIS = 500;

  /** Writes the new total to the record. */
  @FunctionalInterface
  interface Record {
    void dropped(long bytes) throws IOException;
  }

  private final OutputLog log;
  private final Record record;
  private final Thread thread;
  private long recorded;

  private LogDropRecorder(OutputLog log, Record record) {
    this.log = log;
    this.record = record;
    this.thread = new Thread(this::run, "lamina-log-drops");
    thread.setDaemon(true);
  }

  /** Starts watching {@code log}; null when there is no log. */
  static LogDropRecorder start(OutputLog log, Record record) {
    if (log == null) {
      return null;
    }
    LogDropRecorder r = new LogDropRecorder(log, record);
    r.thread.start();
    return r;
  }

  private void run() {
    while (!Thread.currentThread().isInterrupted()) {
      try {
        Thread.sleep(LOOK_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      long now = log.droppedBytes();
      if (now != recorded) {
        try {
          record.dropped(now);
          recorded = now;
        } catch (IOException stillFull) {
          // Tried again at the next look; the final count goes into the exit record anyway.
        }
      }
    }
  }

  /** Stops watching; the caller records the final count. */
  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
