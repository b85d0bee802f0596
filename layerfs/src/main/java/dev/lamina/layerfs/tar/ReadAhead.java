package dev.lamina.layerfs.tar;

import dev.lamina.layerfs.concurrent.Futures;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;

/**
 * The entries of a tree walk, with the small files among them read ahead, in order, on other
 * threads: each entry whose content is a {@link Content} that {@link Content#wantsReadAhead
 * wants it}. An entry is handed out only once its own read is done, so the layer write copies its
 * bytes from memory, and whoever describes it next (a context file's digest for a cache key)
 * finds what the read learned. Every walk that feeds a layer write goes through here: the build
 * context ({@code ContextScanner}), and the trees of {@link DirectoryScanner#walk} ({@code COPY
 * --from}, {@code import}, {@code export}).
 *
 * <p>Why: in a cold build of a context of a million small files, the thread that writes the
 * layer spent most of its time opening, reading, hashing and closing one file after the other
 * (open, read and close about half of its profile, the files' digests most of the rest), while
 * {@code tar | sha256sum} spreads the same work over two processes. Reading ahead here puts
 * that work on other cores and leaves the writing thread the copying; larger files, whose cost is
 * their bytes rather than their system calls, still stream through the writer (a megabyte ahead
 * at most, so memory stays flat).
 */
public final class ReadAhead implements Iterator<LayerEntry> {
  /** Files up to this size are read ahead (whole, into memory). */
  public static final int MAX_FILE = 64 * 1024;

  /** Content that can be read ahead of the write that opens it. */
  public interface Content extends ContentSource {
    /**
     * Whether a read ahead would spare whoever describes the entry a read: the content is not read
     * or known yet, and its entry's size is at most {@link #MAX_FILE} (and not zero).
     */
    boolean wantsReadAhead();

    /**
     * Whether a read ahead would spare a layer write a read: as {@link #wantsReadAhead}, but what
     * is known of the content (its digest) does not count, as a write reads its bytes anyway.
     */
    default boolean wantsReadAheadToWrite() {
      return wantsReadAhead();
    }

    /**
     * Reads the content now, on the calling thread, and keeps it for the next {@link #open}. A
     * file that cannot be read here, or whose size changed since the walk, is left to {@link
     * #open}, which reports why.
     *
     * @return the number of bytes kept (0 if none)
     * @throws IOException if it cannot be read (the write then opens it again)
     */
    int readAhead() throws IOException;

    /**
     * Lets go of what is held for reading the content (its directory, open): the reader has
     * moved past its entry. A later {@link #open} reads it by path.
     */
    void release();
  }

  /**
   * At most this many entries are held ahead of the reader... With 128, a context of a million
   * files of 1.5 KB each held only 190 KB ahead: the two readers went idle while the caller
   * waited on the batch at the head (a cold build took 9.0-9.3 s; with 512 and the window topped
   * up at each entry, 8.0 s).
   */
  private static final int MAX_ENTRIES = 512;
  /**
   * ...and at most this many bytes of their content. Small enough for what is in flight when the
   * young generation is collected to fit a survivor space ({@code -Xmn32m}, a tenth of it), with
   * the tree walk's listings ahead (see its {@code LIST_AHEAD}): when it did not, each collection
   * promoted what was in flight to the old generation, where it died, and a cold build of a
   * million files peaked at 115 to 140 MiB instead of 98.
   */
  private static final long MAX_BYTES = 1L << 20;

  private static final ExecutorService READERS = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "read-ahead");
    t.setDaemon(true);
    return t;
  });

  /**
   * Files are handed to the readers in batches of this many (or {@link #BATCH_BYTES}): a task a
   * file woke a parked reader for each one, two futex calls and a queue's locks a file, about as
   * much as reading a small file costs. The window is topped up as each entry is handed out, but
   * a batch goes to the readers only once it is full, or when the entry handed out is in it, so
   * that the readers stay busy and the batches full. (With batches of 64 KiB in a window of 256
   * KiB, a context of 5,000 files of 40 KiB still made three times the futex calls of a build
   * without reading ahead; 256 KiB in 1 MiB, twice.)
   */
  private static final int BATCH_FILES = 16;
  private static final long BATCH_BYTES = 256 * 1024;

  private record Pending(LayerEntry entry, long size, Future<?> read) {}

  /**
   * A walk read ahead: each iteration, for a layer write, reads ahead every small file whose
   * bytes it has not read yet; {@link #describing} reads ahead only what is not known, for a walk
   * that describes its entries (a cache key) and reads none of what a memo remembers.
   */
  public static final class Walk implements Iterable<LayerEntry> {
    private final Iterable<LayerEntry> walk;

    private Walk(Iterable<LayerEntry> walk) {
      this.walk = walk;
    }

    @Override
    public Iterator<LayerEntry> iterator() {
      return new ReadAhead(walk.iterator(), true);
    }

    /** The same walk, for describing its entries only. */
    public Iterable<LayerEntry> describing() {
      return () -> new ReadAhead(walk.iterator(), false);
    }
  }

  private final Iterator<LayerEntry> walk;
  /** Whether the entries feed a layer write ({@link Content#wantsReadAheadToWrite}). */
  private final boolean toWrite;
  /** The entry handed out last, whose reader is done with it once it asks for the next. */
  private LayerEntry handedOut;
  private final ArrayDeque<Pending> ahead = new ArrayDeque<>();
  private long bytesAhead;
  private List<Content> batch;
  private FutureTask<Void> batchRead;
  private long batchBytes;

  private ReadAhead(Iterator<LayerEntry> walk, boolean toWrite) {
    this.walk = walk;
    this.toWrite = toWrite;
  }

  /**
   * The entries of {@code walk}, each iteration reading ahead from a fresh one: for a layer write,
   * or {@link Walk#describing} them.
   */
  public static Walk of(Iterable<LayerEntry> walk) {
    return new Walk(walk);
  }

  @Override
  public boolean hasNext() {
    return !ahead.isEmpty() || walk.hasNext();
  }

  @Override
  public LayerEntry next() {
    fill();
    Pending p = ahead.poll();
    if (p == null) {
      throw new NoSuchElementException();
    }
    if (p.read() != null && p.read() == batchRead) {
      submit(); // the batch is not full, but the entry handed out is in it
    }
    // What a walk holds open for a file is let go as soon as its reader is past it (a writer
    // opens each file before it asks for the next), not when the collector finds it: a walk
    // that only describes its files (a cached build's) would hold a directory each meanwhile.
    if (handedOut != null && handedOut.content() instanceof Content c) {
      c.release();
    }
    handedOut = p.entry();
    if (p.read() != null) {
      await(p.read());
      bytesAhead -= p.size();
    }
    return p.entry();
  }

  private void fill() {
    while (ahead.size() < MAX_ENTRIES && bytesAhead < MAX_BYTES && walk.hasNext()) {
      LayerEntry e = walk.next();
      Future<?> read = null;
      if (e.content() instanceof Content f && e.size() <= MAX_FILE
          && (toWrite ? f.wantsReadAheadToWrite() : f.wantsReadAhead())) {
        if (batch == null) {
          List<Content> files = new ArrayList<>(BATCH_FILES);
          batch = files;
          batchRead = new FutureTask<>(() -> {
            for (Content file : files) {
              try {
                file.readAhead();
              } catch (IOException ex) {
                // left to the write, which opens the file itself and reports why it cannot
              }
            }
            return null;
          });
        }
        batch.add(f);
        batchBytes += e.size();
        bytesAhead += e.size();
        read = batchRead;
        if (batch.size() == BATCH_FILES || batchBytes >= BATCH_BYTES) {
          submit();
        }
      }
      ahead.add(new Pending(e, read == null ? 0 : e.size(), read));
    }
  }

  private void submit() {
    if (batch != null) {
      READERS.execute(batchRead);
      batch = null;
      batchRead = null;
      batchBytes = 0;
    }
  }

  private static void await(Future<?> read) {
    try {
      Futures.await(read);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
