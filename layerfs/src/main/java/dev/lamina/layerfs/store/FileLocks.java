package dev.lamina.layerfs.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Reader/writer locks shared by every thread and every process that uses the same lock file.
 *
 * <p>Between processes the lock is a POSIX record lock ({@link FileChannel#lock}). Those locks
 * belong to the process, not the thread, and closing <em>any</em> descriptor of the file drops
 * all of them, so each lock file has exactly one channel per JVM, kept here, and threads of this
 * JVM are ordered by a {@link ReentrantReadWriteLock} in front of it. The OS lock is taken by the
 * first holder and released by the last one.
 */
public final class FileLocks {
  private static final Map<Path, FileLocks> REGISTRY = new ConcurrentHashMap<>();

  private final Path file;
  private final ReentrantReadWriteLock threads = new ReentrantReadWriteLock();
  private FileChannel channel;
  private FileLock osLock;
  private int holders;

  private FileLocks(Path file) {
    this.file = file;
  }

  /** Work done while holding a lock. */
  @FunctionalInterface
  public interface Locked<T> {
    T call() throws IOException;
  }

  /**
   * Runs {@code work} holding the lock file {@code file} exclusively (reentrant within a thread).
   *
   * @throws IOException from {@code work}, or when the lock cannot be taken
   */
  public static <T> T withExclusive(Path file, Locked<T> work) throws IOException {
    try (Held held = of(file).exclusive()) {
      return work.call();
    }
  }

  /** The lock for {@code file}, created (empty) if it does not exist. */
  public static FileLocks of(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path key = parent.toRealPath().resolve(file.getFileName());
    return REGISTRY.computeIfAbsent(key, FileLocks::new);
  }

  /** A held lock; closing releases it. */
  public interface Held extends AutoCloseable {
    @Override
    void close();
  }

  /** Blocks until this thread holds the lock shared (many holders). */
  public Held shared() throws IOException {
    threads.readLock().lock();
    try {
      acquireOs(true);
    } catch (IOException | RuntimeException e) {
      threads.readLock().unlock();
      throw e;
    }
    return once(() -> {
      releaseOs();
      threads.readLock().unlock();
    });
  }

  /** Blocks until this thread holds the lock exclusively. */
  public Held exclusive() throws IOException {
    if (threads.getReadHoldCount() > 0) {
      // A read lock cannot be upgraded: waiting here would wait for ourselves.
      throw new IllegalStateException("exclusive lock requested while holding it shared: " + file);
    }
    threads.writeLock().lock();
    try {
      acquireOs(false);
    } catch (IOException | RuntimeException e) {
      threads.writeLock().unlock();
      throw e;
    }
    return once(() -> {
      releaseOs();
      threads.writeLock().unlock();
    });
  }

  /** The exclusive lock if nobody (no thread, no process) holds it now; otherwise null. */
  public Held tryExclusive() throws IOException {
    if (threads.getReadHoldCount() > 0 || !threads.writeLock().tryLock()) {
      return null;
    }
    try {
      synchronized (this) {
        if (holders == 0) {
          channel = open();
          osLock = channel.tryLock(0, Long.MAX_VALUE, false);
          if (osLock == null) {
            channel.close();
            channel = null;
            threads.writeLock().unlock();
            return null;
          }
        }
        holders++;
      }
    } catch (IOException | RuntimeException e) {
      threads.writeLock().unlock();
      throw e;
    }
    return once(() -> {
      releaseOs();
      threads.writeLock().unlock();
    });
  }

  /**
   * Whether some thread of this JVM holds the lock now. {@link #tryExclusive} answers for the
   * other processes and threads, but is reentrant for the calling thread; this tells a thread that
   * holds the lock itself (so it is not free for the owner's sake).
   */
  public synchronized boolean isHeldHere() {
    return holders > 0;
  }

  private synchronized void acquireOs(boolean shared) throws IOException {
    if (holders == 0) {
      FileChannel ch = open();
      try {
        // Blocking inside the monitor is fine: a second shared holder of this JVM waits here for
        // the first one's OS lock, which it would need anyway.
        osLock = ch.lock(0, Long.MAX_VALUE, shared);
      } catch (IOException | RuntimeException e) {
        ch.close();
        throw e;
      }
      channel = ch;
    }
    holders++;
  }

  private synchronized void releaseOs() {
    if (--holders == 0) {
      try {
        osLock.release();
        channel.close();
      } catch (IOException e) {
        // Closing the descriptor releases the lock whatever happens.
      }
      osLock = null;
      channel = null;
    }
  }

  private FileChannel open() throws IOException {
    return FileChannel.open(
        file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  private static Held once(Runnable release) {
    return new Held() {
      private boolean released;

      @Override
      public synchronized void close() {
        if (!released) {
          released = true;
          release.run();
        }
      }
    };
  }
}
