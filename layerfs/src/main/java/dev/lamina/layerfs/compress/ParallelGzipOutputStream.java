package dev.lamina.layerfs.compress;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip writer that deflates on several threads, as pigz does, and whose output depends only on
 * the input and the level, never on the number of threads or their timing.
 *
 * <p>The input is cut into fixed blocks of 128 KiB. Each block is deflated on its own, primed with
 * the 32 KiB of input before it as the dictionary (so matches reach back as far as in one long
 * stream), and ends with a sync flush so the next block's output starts on a byte boundary; the
 * last ends the deflate stream. The blocks' outputs, written in order, form one ordinary deflate
 * stream in one gzip member that any gzip reader accepts. The CRC-32 is computed on the writing
 * thread (the JDK's CRC32 uses the CPU's carry-less multiply and is far faster than deflate).
 *
 * <p>The header is fixed: modification time 0, no file name, XFL by level as gzip sets it, OS
 * "unknown" (255). Memory is bounded: at most two blocks per thread are in flight.
 */
final class ParallelGzipOutputStream extends OutputStream {
  static final int BLOCK_SIZE = 128 * 1024;
  private static final int DICTIONARY_SIZE = 32 * 1024;
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final OutputStream out;
  private final int level;
  private final ExecutorService pool;
  private final int maxInFlight;
  private final ArrayDeque<Future<byte[]>> inFlight = new ArrayDeque<>();
  private final CRC32 crc = new CRC32();
  private byte[] block = new byte[BLOCK_SIZE];
  private int fill;
  private byte[] dictionary;
  private long length;
  private boolean finished;
  private boolean closed;

  /**
   * @param threads deflate threads; 1 deflates on the caller's thread. The output is the same.
   */
  ParallelGzipOutputStream(OutputStream out, int level, int threads) throws IOException {
    this.out = Objects.requireNonNull(out, "out");
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("gzip level must be 0 to 9, not " + level);
    }
    this.level = level;
    this.maxInFlight = 2 * threads;
    this.pool = threads <= 1 ? null : Executors.newFixedThreadPool(threads, r -> {
      Thread t = new Thread(r, "lamina-gzip-" + POOLS.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try {
      out.write(header(level));
    } catch (IOException | RuntimeException e) {
      shutdown();
      throw e;
    }
  }

  /** The fixed 10-byte member header; XFL says "best" for 9 and "fastest" for 1, as gzip does. */
  static byte[] header(int level) {
    int xfl = level == 9 ? 2 : level == 1 ? 4 : 0;
    return new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, (byte) xfl, (byte) 255};
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (finished) {
      throw new IOException("gzip stream already finished");
    }
    crc.update(b, off, len);
    length += len;
    while (len > 0) {
      int n = Math.min(len, BLOCK_SIZE - fill);
      System.arraycopy(b, off, block, fill, n);
      fill += n;
      off += n;
      len -= n;
      if (fill == BLOCK_SIZE) {
        submit(false);
      }
    }
  }

  /** Ends the member (compressed data and trailer) without closing the stream below. */
  void finish() throws IOException {
    if (finished) {
      return;
    }
    finished = true;
    submit(true);
    while (!inFlight.isEmpty()) {
      out.write(await(inFlight.poll()));
    }
    out.write(trailer(crc.getValue(), length));
  }

  private void submit(boolean last) throws IOException {
    byte[] data = block;
    int size = fill;
    byte[] dict = dictionary;
    // The next block's dictionary is the tail of this one; blocks (but the last) are full, so
    // it is always the 32 KiB just before the next block's first byte.
    dictionary = Arrays.copyOfRange(data, Math.max(0, size - DICTIONARY_SIZE), size);
    block = new byte[BLOCK_SIZE];
    fill = 0;
    if (pool == null) {
      out.write(deflate(data, size, dict, last, level));
      return;
    }
    inFlight.add(pool.submit(() -> deflate(data, size, dict, last, level)));
    while (inFlight.size() > maxInFlight) {
      out.write(await(inFlight.poll()));
    }
  }

  /**
   * Deflates one block: a pure function of its arguments, whichever thread runs it. A block whose
   * bytes are spread almost evenly (already compressed or random data) is stored instead: deflate
   * would spend several times longer searching for matches that are not there, to save well under
   * one percent (what pigz's successors and Go's klauspost/compress do too).
   */
  static byte[] deflate(byte[] data, int size, byte[] dictionary, boolean last, int level) {
    Deflater deflater =
        new Deflater(level > 0 && incompressible(data, size) ? Deflater.NO_COMPRESSION : level,
            true);
    try {
      if (dictionary != null && dictionary.length > 0) {
        deflater.setDictionary(dictionary);
      }
      deflater.setInput(data, 0, size);
      if (last) {
        deflater.finish();
      }
      byte[] buf = new byte[size + size / 8 + 64];
      int pos = 0;
      while (true) {
        if (pos == buf.length) {
          buf = Arrays.copyOf(buf, buf.length * 2);
        }
        int room = buf.length - pos;
        int n = deflater.deflate(buf, pos, room, last ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH);
        pos += n;
        // Done once finished (last block), or once a sync flush left room to spare.
        if (last ? deflater.finished() : n < room && deflater.needsInput()) {
          return Arrays.copyOf(buf, pos);
        }
      }
    } finally {
      deflater.end();
    }
  }

  /** Order-0 entropy above which a block is stored, in bits per byte (8 is uniform). */
  static final double STORE_ENTROPY = 7.97;

  /** Whether the byte histogram of {@code data[0..size)} is all but flat. */
  static boolean incompressible(byte[] data, int size) {
    if (size < 4096) {
      return false;
    }
    int[] counts = new int[256];
    for (int i = 0; i < size; i++) {
      counts[data[i] & 0xff]++;
    }
    double bits = 0;
    for (int c : counts) {
      if (c > 0) {
        double p = (double) c / size;
        bits -= p * (Math.log(p) / Math.log(2));
      }
    }
    return bits >= STORE_ENTROPY;
  }

  private byte[] await(Future<byte[]> future) throws IOException {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing");
    } catch (ExecutionException e) {
      throw new IOException("gzip compression failed: " + e.getCause(), e.getCause());
    }
  }

  /** CRC-32 and the length modulo 2^32, little-endian. */
  static byte[] trailer(long crc, long length) {
    byte[] t = new byte[8];
    for (int i = 0; i < 4; i++) {
      t[i] = (byte) (crc >>> (8 * i));
      t[4 + i] = (byte) (length >>> (8 * i));
    }
    return t;
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      finish();
      out.close();
    } finally {
      shutdown();
    }
  }

  private void shutdown() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }
}
