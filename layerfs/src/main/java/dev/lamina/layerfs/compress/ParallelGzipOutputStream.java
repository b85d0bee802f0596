package dev.lamina.layerfs.compress;

import dev.lamina.layerfs.io.ChunkingOutputStream;
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
 * last ends the deflate stream. Incompressible stretches are written as stored blocks instead
 * (see {@link #deflate}). The blocks' outputs, written in order, form one ordinary deflate
 * stream in one gzip member that any gzip reader accepts. The CRC-32 is computed on the writing
 * thread (the JDK's CRC32 uses the CPU's carry-less multiply and is far faster than deflate).
 *
 * <p>The header is fixed: modification time 0, no file name, XFL by level as gzip sets it, OS
 * "unknown" (255). Memory is bounded: at most two blocks per thread are in flight.
 */
final class ParallelGzipOutputStream extends ChunkingOutputStream {
  static final int BLOCK_SIZE = 128 * 1024;
  private static final int DICTIONARY_SIZE = 32 * 1024;
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final OutputStream out;
  private final int level;
  private final ExecutorService pool;
  private final int maxInFlight;
  private final ArrayDeque<Future<byte[]>> inFlight = new ArrayDeque<>();
  private final CRC32 crc = new CRC32();
  private byte[] dictionary;
  private long length;
  private boolean finished;
  private boolean closed;

  /**
   * @param threads deflate threads; 1 deflates on the caller's thread. The output is the same.
   */
  ParallelGzipOutputStream(OutputStream out, int level, int threads) throws IOException {
    super(BLOCK_SIZE);
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
  protected void ensureOpen() throws IOException {
    if (finished) {
      throw new IOException("gzip stream already finished");
    }
  }

  /** A full block as it is written; the last, whatever its size, once {@link #finish} runs. */
  @Override
  protected void emit(byte[] block) throws IOException {
    submit(block, finished);
  }

  /** Ends the member (compressed data and trailer) without closing the stream below. */
  void finish() throws IOException {
    if (finished) {
      return;
    }
    finished = true;
    emitBuffered(); // the last block, even empty: it ends the deflate stream
    while (!inFlight.isEmpty()) {
      out.write(await(inFlight.poll()));
    }
    out.write(trailer(crc.getValue(), length));
  }

  private void submit(byte[] data, boolean last) throws IOException {
    int size = data.length;
    crc.update(data, 0, size);
    length += size;
    byte[] dict = dictionary;
    // The next block's dictionary is the tail of this one; blocks (but the last) are full, so
    // it is always the 32 KiB just before the next block's first byte.
    dictionary = Arrays.copyOfRange(data, Math.max(0, size - DICTIONARY_SIZE), size);
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
   * Deflates one block: a pure function of its arguments, whichever thread runs it.
   *
   * <p>At levels above 0 the block is looked at in {@value #SEGMENT}-byte segments. A segment
   * whose bytes are spread almost evenly (already compressed or random data) is stored as it is:
   * zlib would spend tens of times longer searching it for matches that are not there, to save
   * well under one percent (pigz's successors and Go's klauspost/compress skip such data too).
   * Runs of other segments are deflated, the first of a block primed with the 32 KiB of input
   * before the block (later ones follow stored, incompressible bytes: nothing to match). Judging
   * segments rather than whole blocks matters for tar layers of compressed files: every file's
   * 512-byte header would otherwise make the block around it look compressible. Data whose
   * bytes are evenly spread and yet repeat within 32 KiB (a random file stored twice, close
   * together) is stored too; a rare loss of ratio, never of correctness.
   */
  static byte[] deflate(byte[] data, int size, byte[] dictionary, boolean last, int level) {
    Output out = new Output(size + size / 64 + 64);
    if (level == 0 || size == 0) {
      deflateRun(out, data, 0, size, dictionary, last, level);
      return out.bytes();
    }
    int pos = 0;
    while (pos < size) {
      boolean store = storable(data, pos, size);
      int end = Math.min(size, pos + SEGMENT);
      while (end < size && storable(data, end, size) == store) {
        end = Math.min(size, end + SEGMENT);
      }
      boolean closing = last && end == size;
      if (store) {
        stored(out, data, pos, end - pos, closing);
      } else {
        // After a stored run the window holds incompressible bytes: priming with them would
        // cost time and find nothing.
        deflateRun(out, data, pos, end - pos, pos == 0 ? dictionary : null, closing, level);
      }
      pos = end;
    }
    return out.bytes();
  }

  /**
   * Deflates {@code data[off..off+len)} with a fresh deflater, primed at the start of a block
   * with {@code previous} (the 32 KiB before it, if any) and not primed past the start; then
   * ends with a sync flush (byte-aligned, for what follows) or, when {@code closing}, the final
   * block.
   */
  private static void deflateRun(
      Output out, byte[] data, int off, int len, byte[] previous, boolean closing, int level) {
    Deflater deflater = new Deflater(level, true);
    try {
      if (off == 0 && previous != null && previous.length > 0) {
        deflater.setDictionary(previous);
      }
      deflater.setInput(data, off, len);
      if (closing) {
        deflater.finish();
      }
      while (true) {
        out.ensure(len / 8 + 64);
        int room = out.room();
        int n = deflater.deflate(
            out.buf, out.pos, room, closing ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH);
        out.pos += n;
        // Done once finished (closing), or once a sync flush left room to spare.
        if (closing ? deflater.finished() : n < room && deflater.needsInput()) {
          return;
        }
      }
    } finally {
      deflater.end();
    }
  }

  /**
   * Writes deflate stored blocks (at most 65,535 bytes each) for {@code data[off..off+len)},
   * starting on a byte boundary as every run here does; the last is final when {@code closing}.
   */
  private static void stored(Output out, byte[] data, int off, int len, boolean closing) {
    do {
      int n = Math.min(len, MAX_STORED);
      len -= n;
      out.ensure(5 + n);
      out.buf[out.pos++] = (byte) (closing && len == 0 ? 1 : 0); // BFINAL, BTYPE 00, padding
      out.buf[out.pos++] = (byte) n;
      out.buf[out.pos++] = (byte) (n >>> 8);
      out.buf[out.pos++] = (byte) ~n;
      out.buf[out.pos++] = (byte) (~n >>> 8);
      System.arraycopy(data, off, out.buf, out.pos, n);
      out.pos += n;
      off += n;
    } while (len > 0);
  }

  /** Bytes per store-or-deflate decision. */
  static final int SEGMENT = 1024;

  private static final int MAX_STORED = 65_535;

  /**
   * Order-0 entropy of a {@value #SEGMENT}-byte segment at or above which it is stored, in bits
   * per byte. Random segments of that size measure 7.81 on average (the estimate is biased low
   * for short samples, with a spread of about 0.02), and none of 200,000 fell below 7.72; the
   * margin keeps such data stored whatever its seed, while a segment with a tar header or a run
   * of padding in it falls well below.
   */
  static final double STORE_ENTROPY = 7.68;

  /** {@code c * log2(c)} for every count a segment can hold. */
  private static final double[] C_LOG_C = new double[SEGMENT + 1];

  /** The largest {@code sum(c * log2 c)} of a storable segment (entropy at least the bound). */
  private static final double STORE_SUM = SEGMENT * (log2(SEGMENT) - STORE_ENTROPY);

  static {
    for (int c = 1; c <= SEGMENT; c++) {
      C_LOG_C[c] = c * log2(c);
    }
  }

  private static double log2(double x) {
    return Math.log(x) / Math.log(2);
  }

  /**
   * Whether the segment at {@code off} is to be stored: a full segment whose byte histogram is
   * all but flat. A shorter tail segment is deflated.
   */
  static boolean storable(byte[] data, int off, int size) {
    if (size - off < SEGMENT) {
      return false;
    }
    int[] counts = new int[256];
    for (int i = off, end = off + SEGMENT; i < end; i++) {
      counts[data[i] & 0xff]++;
    }
    double sum = 0;
    for (int c : counts) {
      sum += C_LOG_C[c];
    }
    return sum <= STORE_SUM;
  }

  /** A growable output buffer. */
  private static final class Output {
    byte[] buf;
    int pos;

    Output(int capacity) {
      buf = new byte[capacity];
    }

    int room() {
      return buf.length - pos;
    }

    void ensure(int room) {
      if (buf.length - pos < room) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + room));
      }
    }

    byte[] bytes() {
      return Arrays.copyOf(buf, pos);
    }
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
