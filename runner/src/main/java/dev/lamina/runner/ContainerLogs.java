package dev.lamina.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Prints a container's log (the k8s-file records its monitor writes, as the output they hold),
 * and with {@code follow} what it writes next, until it exits.
 */
public final class ContainerLogs {
  private static final long POLL_MILLIS = 100;

  private ContainerLogs() {}

  /**
   * Copies the log of container {@code ref} to {@code out}. With {@code follow}, keeps copying
   * new output until the container is no longer running (or removed), then copies what is left.
   *
   * @throws ContainerException when there is no such container
   * @throws IOException if the log cannot be read or {@code out} written
   */
  public static void copy(Containers containers, String ref, OutputStream out, boolean follow)
      throws IOException {
    copy(containers, ref, out, follow, 0);
  }

  /**
   * As {@link #copy(Containers, String, OutputStream, boolean)}, from byte {@code skip} of the log
   * on: what a run writes after the log had {@code skip} bytes ({@code start -a}).
   */
  public static void copy(
      Containers containers, String ref, OutputStream out, boolean follow, long skip)
      throws IOException {
    ContainerRecord r = containers.inspect(ref);
    Path log = containers.logFile(r.id());
    InputStream in;
    try {
      in = Files.newInputStream(log);
    } catch (NoSuchFileException e) {
      if (!follow || r.state() != ContainerState.RUNNING) {
        return;
      }
      Files.createDirectories(log.getParent());
      Files.write(log, new byte[0], java.nio.file.StandardOpenOption.CREATE,
          java.nio.file.StandardOpenOption.APPEND);
      in = Files.newInputStream(log);
    }
    // An open file keeps its content readable after rm --rm unlinks it.
    try (InputStream log1 = in) {
      log1.skipNBytes(Math.min(skip, Files.size(log)));
      java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();
      while (true) {
        LogRecords.drain(log1, out, pending, false);
        if (!follow || !running(containers, r.id())) {
          LogRecords.drain(log1, out, pending, true);
          return;
        }
        try {
          Thread.sleep(POLL_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /**
   * Where the last {@code lines} lines of container {@code ref}'s log begin ({@code logs --tail}):
   * a byte offset for {@link #copy(Containers, String, OutputStream, boolean, long)}. A last line
   * without its line end counts as a line. The log is read backwards, a block at a time.
   */
  public static long tailOffset(Containers containers, String ref, int lines) throws IOException {
    return LogRecords.tailOffset(containers.logFile(containers.inspect(ref).id()), lines);
  }

  private static boolean running(Containers containers, String id) throws IOException {
    try {
      return containers.await(id, Duration.ZERO).state() == ContainerState.RUNNING;
    } catch (ContainerException removed) {
      return false;
    }
  }
}
