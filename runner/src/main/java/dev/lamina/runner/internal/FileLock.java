package dev.lamina.runner.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock shared by threads of this process and by other processes: a JVM-wide lock per
 * path (Java's file locks are per process and throw when taken twice in one JVM), then flock.
 */
public final class FileLock {
  private static final ConcurrentHashMap<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

  /** Work done while holding the lock. */
  @FunctionalInterface
  public interface Locked<T> {
    T call() throws IOException;
  }

  private FileLock() {}

  /**
   * Runs {@code work} holding the lock file {@code lockFile}, created when missing. Reentrant
   * within a thread.
   *
   * @throws IOException from {@code work} or when the lock cannot be taken
   */
  public static <T> T with(Path lockFile, Locked<T> work) throws IOException {
    Path key = lockFile.toAbsolutePath().normalize();
    ReentrantLock local = LOCAL.computeIfAbsent(key, k -> new ReentrantLock());
    local.lock();
    try {
      if (local.getHoldCount() > 1) {
        return work.call();
      }
      Files.createDirectories(key.getParent());
      try (FileChannel ch =
              FileChannel.open(key, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          java.nio.channels.FileLock held = ch.lock()) {
        return work.call();
      }
    } finally {
      local.unlock();
    }
  }
}
