package dev.lamina.layerfs.compress;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestAlgorithm;
import dev.lamina.layerfs.digest.DigestMismatchException;
import dev.lamina.layerfs.digest.DigestingInputStream;
import dev.lamina.layerfs.io.ChunkingOutputStream;
import dev.lamina.layerfs.oci.Descriptor;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A layer's uncompressed digest (its diff_id), computed while the layer's stored bytes pass by:
 * whoever copies the blob also writes each chunk here, and a thread of its own decompresses and
 * hashes them, so the blob is read once. {@link #finish()} gives the digest after the last byte.
 * The compression is told by the content (gzip, zstd, or none), as the extraction tells it.
 */
public final class UncompressedDigester extends ChunkingOutputStream {
  private static final byte[] END = new byte[0];
  private static final int QUEUED_CHUNKS = 16;
  /**
   * Writes are gathered into chunks of this size before they are queued: callers copy in pieces
   * of 8 KiB (InputStream.transferTo), and a queue hand-over a piece, with the futex calls that
   * wake the worker, cost about as much as hashing it (a 359 MB layer loaded: 47,000 futex
   * calls).
   */
  private static final int CHUNK = 256 * 1024;

  private final String what;
  private final DigestAlgorithm algorithm;
  private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(QUEUED_CHUNKS);
  private final Thread worker;
  private volatile Digest actual;
  private volatile Compression compression;
  private volatile long size;
  private volatile IOException failure;
  private boolean ended;

  private UncompressedDigester(String what, DigestAlgorithm algorithm) {
    super(CHUNK);
    this.what = what;
    this.algorithm = algorithm;
    this.worker = new Thread(this::digest, "lamina-uncompressed-digest");
    worker.setDaemon(true);
  }

  /** Starts digesting {@code layer}'s content, decompressed, with {@code algorithm}. */
  public static UncompressedDigester start(Descriptor layer, DigestAlgorithm algorithm) {
    return start("layer " + layer.digest(), algorithm);
  }

  /** Likewise for content {@code what} names in messages ("layer sha256:…", "archive entry x"). */
  public static UncompressedDigester start(String what, DigestAlgorithm algorithm) {
    UncompressedDigester v = new UncompressedDigester(what, algorithm);
    v.worker.start();
    return v;
  }

  /**
   * Checks a whole blob read from {@code in} (to its end; not closed), for a layer that is not
   * copied anyway (already stored for another image, whose config may pair it with another
   * diff_id).
   *
   * @throws DigestMismatchException if it does not decompress to {@code diffId}
   */
  public static void check(InputStream in, Descriptor layer, Digest diffId) throws IOException {
    try (UncompressedDigester v = start(layer, diffId.algorithm())) {
      in.transferTo(v);
      requireDiffId(layer, v.finish(), diffId);
    }
  }

  /**
   * Refuses a layer whose uncompressed digest {@code actual} is not the config's {@code diffId}.
   *
   * @throws DigestMismatchException naming the layer and both digests
   */
  public static void requireDiffId(Descriptor layer, Digest actual, Digest diffId)
      throws DigestMismatchException {
    if (!actual.equals(diffId)) {
      throw new DigestMismatchException("layer " + layer.digest() + " unpacks to " + actual
          + ", but the image config's diff_id for it is " + diffId);
    }
  }

  /** A stream that writes to {@code out} and passes the same bytes here. */
  public OutputStream alongside(OutputStream out) {
    return new OutputStream() {
      @Override
      public void write(int b) throws IOException {
        out.write(b);
        UncompressedDigester.this.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
        UncompressedDigester.this.write(b, off, len);
      }
    };
  }

  @Override
  protected void ensureOpen() throws IOException {
    if (ended) {
      throw new IOException("write after the end of " + what);
    }
  }

  @Override
  protected void emit(byte[] chunk) throws IOException {
    put(chunk);
  }

  /**
   * Ends the content and returns its uncompressed digest.
   *
   * @throws IOException if it does not decompress
   */
  public Digest finish() throws IOException {
    if (!ended) {
      ended = true;
      if (buffered() > 0) {
        emitBuffered();
      }
      put(END);
    }
    try {
      worker.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while digesting " + what);
    }
    if (failure != null) {
      throw new IOException(what + " does not decompress: " + failure.getMessage(), failure);
    }
    return actual;
  }

  /** The compression the content was found to have; after {@link #finish()}. */
  public Compression compression() {
    return compression;
  }

  /** How many bytes the content decompresses to; after {@link #finish()}. */
  public long uncompressedSize() {
    return size;
  }

  /** Stops the worker if the digest was not asked for. */
  @Override
  public void close() {
    if (worker.isAlive()) {
      worker.interrupt();
    }
  }

  private void put(byte[] chunk) throws IOException {
    try {
      // The worker may have stopped (content that does not decompress): then nobody takes.
      while (!chunks.offer(chunk, 100, TimeUnit.MILLISECONDS)) {
        if (!worker.isAlive()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while digesting " + what);
    }
  }

  private void digest() {
    try (InputStream queued = new BufferedInputStream(new QueueInput(), 64 * 1024)) {
      Compression c = Compression.detect(queued);
      DigestingInputStream plain =
          new DigestingInputStream(c.decompress(queued), algorithm);
      Digest d = plain.drainAndDigest();
      compression = c;
      size = plain.count();
      actual = d;
      // A decompressor may stop before the blob's last byte; what follows still passes by.
      queued.transferTo(OutputStream.nullOutputStream());
    } catch (IOException e) {
      failure = e;
    }
  }

  /** The queued chunks as a stream, ending at {@link #END}. */
  private final class QueueInput extends InputStream {
    private byte[] current = new byte[0];
    private int pos;
    private boolean atEnd;

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      while (pos == current.length) {
        if (atEnd) {
          return -1;
        }
        try {
          current = chunks.take();
        } catch (InterruptedException e) {
          throw new InterruptedIOException("digesting " + what + " abandoned");
        }
        pos = 0;
        atEnd = current == END;
      }
      int n = Math.min(len, current.length - pos);
      System.arraycopy(current, pos, b, off, n);
      pos += n;
      return n;
    }
  }
}
