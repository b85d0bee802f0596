package dev.lamina.runner;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;

/** Prints a container's log, and with {@code follow} what it writes next, until it exits. */
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
      byte[] buf = new byte[8192];
      while (true) {
        drain(log1, out, buf);
        if (!follow || !running(containers, r.id())) {
          drain(log1, out, buf);
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
    Path log = containers.logFile(containers.inspect(ref).id());
    if (!Files.exists(log)) {
      return 0;
    }
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(log)) {
      long size = ch.size();
      if (lines <= 0) {
        return size;
      }
      java.nio.ByteBuffer block = java.nio.ByteBuffer.allocate(64 * 1024);
      long end = size;
      int seen = 0;
      boolean first = true;
      while (end > 0) {
        long start = Math.max(0, end - block.capacity());
        block.clear().limit((int) (end - start));
        ch.read(block, start);
        for (int i = (int) (end - start) - 1; i >= 0; i--) {
          if (block.get(i) == '\n') {
            // The log's final line end closes the last line; it starts none.
            if (first && start + i == size - 1) {
              first = false;
              continue;
            }
            if (++seen == lines) {
              return start + i + 1;
            }
          }
          first = false;
        }
        end = start;
      }
      return 0;
    }
  }

  private static void drain(InputStream in, OutputStream out, byte[] buf) throws IOException {
    int n;
    boolean wrote = false;
    while ((n = in.read(buf)) > 0) {
      out.write(buf, 0, n);
      wrote = true;
    }
    if (wrote) {
      out.flush();
    }
  }

  private static boolean running(Containers containers, String id) throws IOException {
    try {
      return containers.await(id, Duration.ZERO).state() == ContainerState.RUNNING;
    } catch (ContainerException removed) {
      return false;
    }
  }
}
