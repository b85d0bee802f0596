package dev.lamina.layerfs.store;

import dev.lamina.layerfs.concurrent.Futures;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestAlgorithm;
import dev.lamina.layerfs.digest.DigestMismatchException;
import dev.lamina.layerfs.digest.DigestingOutputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Streams one blob into a store: bytes go to a locked temp file on the store's file system and
 * are hashed on the way. {@link #commit()} publishes the blob under its digest; {@link #close()}
 * without a commit throws the bytes away. Not thread-safe.
 */
public final class BlobWriter extends OutputStream {
  private final TempArea.TempFile temp;
  private final DigestAlgorithm algorithm;
  private DigestingOutputStream out;
  /** Where the bytes go when written past the page cache ({@link #withDirectWrites}), or null. */
  private DirectFileOutput direct;
  private final LayoutBlobStore store;
  private final Runnable onClose;
  private BlobInfo committed;
  private boolean closed;
  /** Whether parts already written are synced in the background while writing goes on. */
  private boolean writeback = true;
  /** Bytes that a background sync has been asked to cover. */
  private long writebackAsked;
  private Future<?> writebackSync;

  /**
   * Bytes after which the written part of a blob starts going to the disk in the background, so
   * that the commit's fsync finds little left to write: a 200 MB layer's fsync then costs a
   * little, not about a fifth of its write. Durability is unchanged: the commit still fsyncs.
   */
  private static final long WRITEBACK_STEP = 16L << 20;

  /** One thread syncs for every writer of the process (the disk is one disk). */
  private static final class Writeback {
    static final ExecutorService THREAD =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "blob-writeback");
              t.setDaemon(true);
              return t;
            });
  }

  BlobWriter(
      TempArea.TempFile temp, DigestAlgorithm algorithm, LayoutBlobStore store, Runnable onClose) {
    this.temp = temp;
    this.algorithm = algorithm;
    this.out =
        new DigestingOutputStream(
            new BufferedOutputStream(
                new NamingOutputStream(Channels.newOutputStream(temp.channel()), temp.path()),
                64 * 1024),
            algorithm);
    this.store = store;
    this.onClose = onClose;
  }

  @Override
  public void write(int b) throws IOException {
    checkOpen();
    out.write(b);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    checkOpen();
    out.write(b, off, len);
    if (writeback
        && out.count() - writebackAsked >= WRITEBACK_STEP
        && (writebackSync == null || writebackSync.isDone())) {
      out.flush();
      writebackAsked = out.count();
      writebackSync =
          Writeback.THREAD.submit(
              () -> {
                temp.channel().force(false);
                return null;
              });
    }
  }

  /**
   * Marks this blob as one {@link #commitUnsynced} will publish (a cache entry): no background
   * syncing is started for it.
   */
  public BlobWriter withoutWriteback() {
    writeback = false;
    return this;
  }

  /**
   * Writes this blob past the page cache ({@code O_DIRECT}) where its filesystem allows, for a
   * large layer that nothing reads back at once (see {@link DirectFileOutput}); no background
   * syncing is started then, as the bytes reach the disk as they are written. Asked before the
   * first byte; otherwise, or where the filesystem does not allow it, nothing changes.
   */
  public BlobWriter withDirectWrites() {
    if (direct == null && out.count() == 0 && !closed) {
      DirectFileOutput d = DirectFileOutput.open(temp.path(), temp.channel());
      if (d != null) {
        direct = d;
        // Named as the ordinary way names them: a full disk reports the store's path.
        out = new DigestingOutputStream(new NamingOutputStream(d, temp.path()), algorithm);
        writeback = false;
      }
    }
    return this;
  }

  /** Whether bytes go past the page cache ({@link #withDirectWrites} took). */
  boolean writesDirectly() {
    return direct != null;
  }

  /** Bytes written so far. */
  public long count() {
    return out.count();
  }

  /**
   * The digest and size of everything written, to check before committing: the writer takes no
   * more bytes afterwards, and a commit publishes exactly this.
   *
   * @throws IOException if the writer is closed
   */
  public BlobInfo written() throws IOException {
    checkOpen();
    return new BlobInfo(out.digest(), out.count());
  }

  /**
   * Publishes the blob: flushes and fsyncs the temp file, renames it to {@code
   * blobs/<alg>/<hex>} and fsyncs that directory. If the blob is already present (with this size)
   * the temp file is discarded instead: committing is idempotent.
   *
   * @return the blob's digest and size
   * @throws IOException if syncing or renaming fails (nothing is published then)
   */
  public BlobInfo commit() throws IOException {
    return commit(null, -1);
  }

  /**
   * Like {@link #commit()}, but first checks the content against what the caller was promised.
   *
   * @throws DigestMismatchException if the digest or size differs; the temp file is deleted and
   *     nothing is published
   * @throws IOException if syncing or renaming fails
   */
  public BlobInfo commit(Digest expectedDigest, long expectedSize) throws IOException {
    return commit(expectedDigest, expectedSize, true);
  }

  /**
   * Like {@link #commit()} without the fsyncs: for caches whose blobs are verified on every read
   * and cheaply made again. After a crash such a blob may be missing, or present and damaged.
   *
   * @throws IOException if renaming fails
   */
  public BlobInfo commitUnsynced() throws IOException {
    return commit(null, -1, false);
  }

  private BlobInfo commit(Digest expectedDigest, long expectedSize, boolean durable)
      throws IOException {
    checkOpen();
    out.flush();
    if (direct != null) {
      try {
        direct.finish();
      } catch (IOException e) {
        throw NamingOutputStream.naming(e, temp.path());
      }
    }
    BlobInfo info = new BlobInfo(out.digest(), out.count());
    try {
      if (expectedSize >= 0 && info.size() != expectedSize) {
        throw new DigestMismatchException(
            "content of "
                + (expectedDigest == null ? "blob" : expectedDigest.toString())
                + " has size "
                + info.size()
                + ", expected "
                + expectedSize);
      }
      if (expectedDigest != null && !expectedDigest.equals(info.digest())) {
        throw new DigestMismatchException(
            "content digest " + info.digest() + " != expected " + expectedDigest);
      }
      Path target = store.pathOf(info.digest());
      if (Files.isRegularFile(target) && Files.size(target) == info.size()) {
        committed = info; // already there: the temp is discarded on close
      } else {
        // Durable before visible: the data reaches the disk before the name does, and the name
        // is made durable by syncing its directory.
        if (durable) {
          awaitWriteback();
          temp.channel().force(true);
        }
        Files.createDirectories(target.getParent());
        temp.moveTo(target);
        if (durable) {
          AtomicFiles.syncDirectory(target.getParent());
        }
        committed = info;
      }
      return info;
    } finally {
      close();
    }
  }

  /** Discards the blob unless it was committed; idempotent. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      awaitWriteback();
      try {
        if (direct != null) {
          direct.close();
        }
      } finally {
        temp.close();
      }
    } finally {
      onClose.run();
    }
  }

  /** The committed blob, or null. */
  public BlobInfo committed() {
    return committed;
  }

  /**
   * Waits for a background sync in flight; its failure is not this writer's to report (the
   * commit's own fsync reports a disk that fails).
   */
  private void awaitWriteback() {
    Future<?> f = writebackSync;
    writebackSync = null;
    if (f == null) {
      return;
    }
    Futures.awaitQuietly(f);
  }

  private void checkOpen() throws IOException {
    if (closed) {
      throw new IOException("blob writer is closed");
    }
  }
}
