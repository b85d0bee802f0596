package dev.lamina.layerfs.posix;

import com.kenai.jffi.MemoryIO;
import dev.lamina.layerfs.io.BufferRelay;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Finishes small regular files on a thread of its own: an extraction creates each file where
 * it belongs ({@link TargetDirectory#create}) and hands it over with its bytes, owner, mode and
 * times; this thread writes the bytes, gives the owner, mode and times through the descriptor,
 * and closes it. Five of the six system calls of a small file then run beside the extraction,
 * on the other core, instead of after it.
 *
 * <p>Files travel in batches (up to {@value #BATCH_BYTES} bytes or {@value #BATCH_FILES} files,
 * a few batches at most, through one {@link BufferRelay}): one hand-over per batch, not per file.
 *
 * <p>Why it is safe: this thread never resolves a name. It works on descriptors of files the
 * extraction created ({@code O_CREAT|O_EXCL|O_NOFOLLOW}), whatever happens to their names. What
 * it cannot see is order: a file handed over may still be empty or without its owner. So the
 * extraction calls {@link #flush} before anything that looks at or removes what is already in
 * the tree (a replacement, a whiteout, a hard link, the end).
 *
 * <p>The first failure (a full disk, an owner the user namespace does not map) stops the writes
 * after it; every descriptor is still closed. It is thrown to the extraction by the next {@link
 * #add} or {@link #flush}.
 */
public final class FileWriteBehind implements AutoCloseable {
  static final int BATCH_BYTES = 256 * 1024;
  static final int BATCH_FILES = 256;
  /** Per file in a batch's native memory: struct timespec times[2], before the bytes. */
  private static final int TIMES = 32;

  /** Makes the exception for an owner that cannot be given. */
  @FunctionalInterface
  public interface OwnerFailure {
    IOException of(Path file, int uid, int gid, PosixException e);
  }

  /** Files handed over together: their descriptors and metadata, their bytes in native memory. */
  private static final class Batch {
    final ByteBuffer memory = ByteBuffer.allocateDirect(BATCH_BYTES + BATCH_FILES * TIMES)
        .order(ByteOrder.nativeOrder());
    final long address = MemoryIO.getInstance().getDirectBufferAddress(memory);
    final int[] fds = new int[BATCH_FILES];
    final int[] uids = new int[BATCH_FILES];
    final int[] gids = new int[BATCH_FILES];
    final int[] modes = new int[BATCH_FILES];
    final boolean[] chown = new boolean[BATCH_FILES];
    /** Where each file's times are in {@link #memory}; its bytes follow them. */
    final int[] offsets = new int[BATCH_FILES];
    final int[] lengths = new int[BATCH_FILES];
    final Path[] paths = new Path[BATCH_FILES];
    int count;
    int used;

    boolean fits(int length) {
      return count < BATCH_FILES && used + TIMES + length <= memory.capacity();
    }
  }

  private final BufferRelay<Batch> relay;
  private final OwnerFailure ownerFailure;
  private final byte[] copy = new byte[64 * 1024];
  private Batch filling;
  /** The first failure of the writing thread; read by the extraction's. */
  private volatile IOException failure;
  private boolean reported;

  private FileWriteBehind(String threadName, OwnerFailure ownerFailure) {
    this.ownerFailure = ownerFailure;
    this.relay = BufferRelay.onThread(threadName, 4, Batch::new, (batch, n) -> finish(batch));
  }

  /**
   * A write-behind thread named {@code threadName} (started with the first batch), or null where
   * files cannot be finished this way here.
   */
  public static FileWriteBehind start(String threadName, OwnerFailure ownerFailure) {
    return TargetDirectory.nativeCalls() ? new FileWriteBehind(threadName, ownerFailure) : null;
  }

  /** Whether a file of {@code size} bytes is finished here (else its creator writes it). */
  public static boolean takes(long size) {
    return size <= BATCH_BYTES;
  }

  /**
   * Takes over {@code file}, created empty and open: reads its {@code size} bytes from {@code
   * data} now, and writes them, gives it the owner (with {@code chown}), the mode and the times,
   * and closes it later. The file is closed here if this fails.
   *
   * @throws IOException an earlier file's failure, or {@code data}'s
   */
  public void add(TargetDirectory.NewFile file, InputStream data, int size, boolean chown,
      int uid, int gid, int mode, long seconds, long nanos) throws IOException {
    try {
      check();
      if (filling != null && !filling.fits(size)) {
        handOver();
      }
      if (filling == null) {
        filling = relay.take();
        filling.count = 0;
        filling.used = 0;
      }
      Batch b = filling;
      int at = b.used;
      b.memory.putLong(at, seconds).putLong(at + 8, nanos).putLong(at + 16, seconds)
          .putLong(at + 24, nanos);
      long to = b.address + at + TIMES;
      for (int left = size; left > 0; ) {
        int n = data.read(copy, 0, Math.min(copy.length, left));
        if (n < 0) {
          throw new IOException("the data of " + file.path() + " ends early");
        }
        MemoryIO.getInstance().putByteArray(to, copy, 0, n);
        to += n;
        left -= n;
      }
      int i = b.count;
      b.fds[i] = file.release();
      b.uids[i] = uid;
      b.gids[i] = gid;
      b.modes[i] = mode;
      b.chown[i] = chown;
      b.offsets[i] = at;
      b.lengths[i] = size;
      b.paths[i] = file.path();
      b.count = i + 1;
      // Eight-byte aligned, for the next file's times.
      b.used = (at + TIMES + size + 7) & ~7;
    } finally {
      file.close();
    }
  }

  /**
   * Waits until every file handed over is finished and closed.
   *
   * @throws IOException the first failure, if not yet thrown
   */
  public void flush() throws IOException {
    if (filling != null) {
      handOver();
    }
    relay.awaitWritten();
    check();
  }

  /**
   * Finishes and closes every file handed over, then stops the thread.
   *
   * @throws IOException the first failure, if not yet thrown
   */
  @Override
  public void close() throws IOException {
    try {
      if (filling != null && filling.count > 0) {
        relay.put(filling, filling.used);
      }
      filling = null;
    } finally {
      relay.close();
    }
    check();
  }

  private void handOver() throws IOException {
    Batch b = filling;
    filling = null;
    relay.put(b, b.used);
  }

  private void check() throws IOException {
    IOException f = failure;
    if (f != null && !reported) {
      reported = true;
      throw f;
    }
    if (f != null) {
      throw new IOException("an earlier file failed: " + f.getMessage(), f);
    }
  }

  /**
   * On the writing thread: each file's bytes, owner, mode, times, then its close, which happens
   * exactly once whatever failed (a descriptor closed twice could be another file's by then).
   */
  private void finish(Batch b) {
    for (int i = 0; i < b.count; i++) {
      int fd = b.fds[i];
      Path path = b.paths[i];
      b.paths[i] = null;
      try {
        if (failure == null) {
          long at = b.address + b.offsets[i];
          TargetDirectory.writeAll(fd, at + TIMES, b.lengths[i], path);
          if (b.chown[i]) {
            try {
              TargetDirectory.fchown(fd, b.uids[i], b.gids[i], path);
            } catch (PosixException e) {
              throw ownerFailure.of(path, b.uids[i], b.gids[i], e);
            }
          }
          // Mode after owner: chown clears setuid and setgid.
          TargetDirectory.fchmod(fd, b.modes[i], path);
          TargetDirectory.futimens(fd, at, path);
        }
      } catch (IOException e) {
        fail(e);
      }
      try {
        TargetDirectory.close(fd, path);
      } catch (IOException e) {
        fail(e);
      }
    }
  }

  private void fail(IOException e) {
    if (failure == null) {
      failure = e;
    }
  }
}
