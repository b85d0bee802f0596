package dev.lamina.layerfs.tar;

import dev.lamina.layerfs.io.BufferRelay;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Writes entries as a layer tar whose bytes depend only on the entries: the same entries give the
 * same bytes whatever order they come in or the host they are written on.
 *
 * <ul>
 *   <li>Entries are sorted by {@link LayerEntry#PATH_ORDER}, and every parent directory is written
 *       before its children; parents the caller did not give are added as mode 0755, owner 0:0.
 *   <li>Each entry keeps its own modification time, in whole seconds, as BuildKit writes them:
 *       software depends on them ({@code .pyc} files record their source's time, make compares
 *       them). A writer {@link #clampedTo clamped} to an epoch ({@code SOURCE_DATE_EPOCH}) writes
 *       every later time as the epoch, as BuildKit's {@code rewrite-timestamp} does, so that the
 *       same inputs give the same layer whenever they are built. No atime or ctime is written.
 *   <li>Owners are numeric only; no user or group names.
 *   <li>PAX extended headers carry what ustar cannot: long or non-ASCII paths and link targets,
 *       sizes from 8 GiB, ids above 2097151, and xattrs as {@code SCHILY.xattr.NAME} (raw bytes,
 *       as GNU tar and Go write them).
 *   <li>The archive ends with two zero blocks and no further record padding.
 * </ul>
 *
 * <p>File contents are streamed through a few reused buffers; memory does not grow with file or
 * layer size. {@link #write} sorts the entries it is given in memory; {@link #writeSorted} takes
 * them already sorted, one at a time, and holds none of them.
 */
public final class LayerWriter {
  /**
   * The epoch of a reproducible build that names none, 1970-01-01T00:00:01Z. Not the epoch
   * itself: Java's {@code File.lastModified()} returns 0 for a missing file, and servlet
   * containers and caches built on it treat 0 as "does not exist" (jib made the same choice for
   * the same reason, jib#1079).
   */
  public static final Instant DEFAULT_EPOCH = Instant.ofEpochSecond(1);

  private static final int BUFFER_SIZE = 256 * 1024;
  /** At most this many buffers are being filled, written or waiting to be (see BlockOutput). */
  private static final int QUEUED = 8;

  /** The epoch no written time may pass, in whole seconds; null to keep every time. */
  private final Long epoch;

  private LayerWriter(Long epoch) {
    this.epoch = epoch;
  }

  /** A writer that keeps each entry's own modification time (whole seconds, negative as 0). */
  public static LayerWriter preservingMtimes() {
    return new LayerWriter(null);
  }

  /**
   * A writer that keeps each entry's time but writes any time after {@code epoch} (whole seconds;
   * fractions are dropped) as {@code epoch}.
   *
   * @throws IllegalArgumentException if it is before 1970 or after the year 2242 (the largest
   *     time a ustar header holds)
   */
  public static LayerWriter clampedTo(Instant epoch) {
    long seconds = Objects.requireNonNull(epoch, "epoch").getEpochSecond();
    if (seconds < 0 || seconds > TarHeaders.MAX_OCTAL_11) {
      throw new IllegalArgumentException("layer time out of range: " + epoch);
    }
    return new LayerWriter(seconds);
  }

  /**
   * A writer for a {@code SOURCE_DATE_EPOCH} value (decimal seconds since 1970): {@link
   * #clampedTo} it, or, when null or blank, {@link #preservingMtimes()}.
   *
   * @throws IllegalArgumentException if the value is not a non-negative decimal integer in range
   */
  public static LayerWriter withSourceDateEpoch(String sourceDateEpoch) {
    if (sourceDateEpoch == null || sourceDateEpoch.isBlank()) {
      return preservingMtimes();
    }
    String value = sourceDateEpoch.strip();
    if (!value.matches("[0-9]{1,19}")) {
      throw new IllegalArgumentException(
          "SOURCE_DATE_EPOCH must be whole seconds since 1970, not '" + sourceDateEpoch + "'");
    }
    try {
      return clampedTo(Instant.ofEpochSecond(Long.parseLong(value)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("SOURCE_DATE_EPOCH out of range: " + value, e);
    }
  }

  /** The epoch this writer clamps times to, or empty if it keeps every time. */
  public Optional<Instant> epoch() {
    return epoch == null ? Optional.empty() : Optional.of(Instant.ofEpochSecond(epoch));
  }

  /**
   * The entries exactly as {@link #write} writes them: sorted, implied parents added, times
   * clamped.
   *
   * @throws IllegalArgumentException if two entries share a path, a path lies under a
   *     non-directory, or a hardlink's target is not an earlier non-directory entry of the layer
   */
  public List<LayerEntry> plan(Collection<? extends LayerEntry> entries) {
    TreeMap<String, LayerEntry> byPath = new TreeMap<>(LayerEntry.PATH_ORDER);
    for (LayerEntry e : entries) {
      if (byPath.putIfAbsent(e.path(), e) != null) {
        throw new IllegalArgumentException("duplicate path in layer: " + e.path());
      }
    }
    for (LayerEntry e : new ArrayList<>(byPath.values())) {
      String path = e.path();
      for (int slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
        String parent = path.substring(0, slash);
        LayerEntry existing = byPath.get(parent);
        if (existing != null) {
          if (existing.type() != EntryType.DIRECTORY) {
            throw new IllegalArgumentException(
                "layer path " + path + " lies under " + parent + ", a " + existing.type());
          }
          break; // its own parents are checked (or were added) with it
        }
        byPath.put(parent, LayerEntry.directory(parent));
      }
    }
    List<LayerEntry> plan = new ArrayList<>(byPath.size());
    for (LayerEntry e : byPath.values()) {
      if (e.type() == EntryType.HARDLINK) {
        LayerEntry target = byPath.get(e.linkTarget());
        // Readers link to an entry they have already extracted, so the target must come first.
        if (target == null
            || target.type() == EntryType.DIRECTORY
            || LayerEntry.PATH_ORDER.compare(target.path(), e.path()) >= 0) {
          throw new IllegalArgumentException("hardlink " + e.path() + " -> " + e.linkTarget()
              + ": the target must be an earlier non-directory entry of the same layer");
        }
      }
      plan.add(epoch != null && e.mtime().isAfter(Instant.ofEpochSecond(epoch))
          ? e.withMtime(Instant.ofEpochSecond(epoch))
          : e);
    }
    return plan;
  }

  /**
   * The entry's time as a header holds it, and as extraction sets it: whole seconds, clamped to
   * what ustar can hold.
   */
  public static long headerTime(LayerEntry e) {
    return Math.min(Math.max(0, e.mtime().getEpochSecond()), TarHeaders.MAX_OCTAL_11);
  }

  /**
   * Writes the layer tar of {@code entries} to {@code out}, which is flushed but not closed.
   *
   * @return the number of bytes written
   * @throws IllegalArgumentException as {@link #plan} does
   * @throws ContentChangedException if a file's content is not exactly its entry's size
   * @throws IOException if reading content or writing fails
   */
  public long write(Collection<? extends LayerEntry> entries, OutputStream out)
      throws IOException {
    return writeSorted(plan(entries), out);
  }

  /**
   * Writes the layer tar of entries that come already sorted by {@link LayerEntry#PATH_ORDER}, one
   * at a time as {@code sorted} yields them: nothing but the chain of directories above the
   * current entry is held, so a tree of any number of files streams through in constant memory.
   * Parents the entries do not name are added (mode 0755, owner 0:0) just before their first
   * child, as {@link #plan} adds them; times are clamped as {@link #write} clamps them. An entry
   * is read from {@code sorted} only after the previous one's content was written, so a source
   * may learn about a file (its digest) from the write itself.
   *
   * @return the number of bytes written
   * @throws IllegalArgumentException if a path is out of order or repeated, lies under a
   *     non-directory, or a hardlink's target does not sort before it
   * @throws ContentChangedException if a file's content is not exactly its entry's size
   * @throws IOException if reading content or writing fails
   */
  public long writeSorted(Iterable<? extends LayerEntry> sorted, OutputStream out)
      throws IOException {
    try (BlockOutput sink = new BlockOutput(out)) {
      // The entries from the root down to the last one written: where implied parents start.
      ArrayDeque<LayerEntry> chain = new ArrayDeque<>();
      String previous = null;
      for (LayerEntry e : sorted) {
        String path = e.path();
        if (previous != null && LayerEntry.PATH_ORDER.compare(previous, path) >= 0) {
          throw new IllegalArgumentException(previous.equals(path)
              ? "duplicate path in layer: " + path
              : "layer entries out of order: " + path + " after " + previous);
        }
        while (!chain.isEmpty() && !isBelow(path, chain.peek().path())) {
          chain.pop();
        }
        LayerEntry above = chain.peek();
        if (above != null && above.type() != EntryType.DIRECTORY) {
          throw new IllegalArgumentException(
              "layer path " + path + " lies under " + above.path() + ", a " + above.type());
        }
        int from = above == null ? 0 : above.path().length() + 1;
        for (int slash = path.indexOf('/', from); slash > 0; slash = path.indexOf('/', slash + 1)) {
          LayerEntry implied = clamped(LayerEntry.directory(path.substring(0, slash)));
          writeEntry(sink, implied);
          chain.push(implied);
        }
        if (e.type() == EntryType.HARDLINK
            && LayerEntry.PATH_ORDER.compare(e.linkTarget(), path) >= 0) {
          // Readers link to an entry they have already extracted, so the target must come first.
          throw new IllegalArgumentException("hardlink " + path + " -> " + e.linkTarget()
              + ": the target must be an earlier non-directory entry of the same layer");
        }
        LayerEntry written = clamped(e);
        writeEntry(sink, written);
        chain.push(written);
        previous = path;
      }
      sink.put(new byte[2 * TarHeaders.BLOCK]);
      sink.flush();
      return sink.written;
    } catch (UncheckedIOException e) {
      throw e.getCause(); // a walk's (see TreeWalk)
    }
  }

  private static void writeEntry(BlockOutput sink, LayerEntry e) throws IOException {
    sink.put(TarHeaders.encode(e, headerTime(e), sink.headerBlock));
    if (e.type() == EntryType.REGULAR && e.size() > 0) {
      try (InputStream in = e.content().open()) {
        sink.copy(e.path(), in, e.size());
      }
      sink.pad();
    }
  }

  /** Whether {@code path} lies below {@code dir}. */
  private static boolean isBelow(String path, String dir) {
    return path.length() > dir.length() && path.charAt(dir.length()) == '/'
        && path.startsWith(dir);
  }

  private LayerEntry clamped(LayerEntry e) {
    return epoch != null && e.mtime().isAfter(Instant.ofEpochSecond(epoch))
        ? e.withMtime(Instant.ofEpochSecond(epoch))
        : e;
  }

  /**
   * Gathers headers and content into large buffers, and hands each full one to a thread of its
   * own that writes it to the stream below, which hashes (and may compress) what it is given. The
   * caller reads and packs the next buffer meanwhile: on two cores, the layer's digest and the
   * blob's write no longer wait on the reading of the files, nor the reading on them. Only that
   * thread touches the stream below until {@link #flush} or {@link #close} has waited for it.
   *
   * <p>Why several buffers and not two: the writing thread's pace is uneven (a blob written past
   * the page cache waits on the disk once a megabyte) and so is the caller's (small files come
   * read ahead, large ones are read here). With one buffer filled while the other was written,
   * each waited on the other: in a cold build of 50,000 small files the caller spent about half
   * its time waiting for the writer, and the writer a third of its time waiting for a buffer;
   * with {@link #QUEUED} of them the build took 0.95 s instead of 1.09 s. Buffers are made as
   * they are first needed and reused, so memory stays flat (see {@link BufferRelay}).
   */
  private static final class BlockOutput implements AutoCloseable {
    private static final byte[] ZEROS = new byte[TarHeaders.BLOCK];
    /** Where an entry's header is made, copied into the buffer at once ({@link #put}). */
    final byte[] headerBlock = new byte[TarHeaders.BLOCK];
    private final OutputStream out;
    private final BufferRelay<byte[]> relay;
    private byte[] buf;
    private int pos;
    private long written;

    BlockOutput(OutputStream out) throws IOException {
      this.out = out;
      this.relay = BufferRelay.onThread("layer-writer", QUEUED, () -> new byte[BUFFER_SIZE],
          (b, length) -> out.write(b, 0, length));
      this.buf = relay.take();
    }

    void put(byte[] bytes) throws IOException {
      put(bytes, bytes.length);
    }

    /** Copies the first {@code length} bytes of {@code bytes}. */
    private void put(byte[] bytes, int length) throws IOException {
      int off = 0;
      while (off < length) {
        int n = Math.min(length - off, buf.length - pos);
        System.arraycopy(bytes, off, buf, pos, n);
        pos += n;
        off += n;
        if (pos == buf.length) {
          drain();
        }
      }
    }

    /** Copies exactly {@code size} bytes of {@code in}, reading straight into the buffer. */
    void copy(String path, InputStream in, long size) throws IOException {
      long remaining = size;
      while (remaining > 0) {
        int n = in.read(buf, pos, (int) Math.min(buf.length - pos, remaining));
        if (n < 0) {
          throw new ContentChangedException(path, size, Long.toString(size - remaining));
        }
        pos += n;
        remaining -= n;
        if (pos == buf.length) {
          drain();
        }
      }
      if (in.read() >= 0) {
        throw new ContentChangedException(path, size, "more");
      }
    }

    /** Zero-fills to the next block boundary. */
    void pad() throws IOException {
      int rest = (int) ((written + pos) % TarHeaders.BLOCK);
      if (rest != 0) {
        put(ZEROS, TarHeaders.BLOCK - rest);
      }
    }

    void flush() throws IOException {
      drain();
      relay.awaitWritten();
      out.flush();
    }

    /** Waits for the writing thread (whatever happened to it) and stops it. */
    @Override
    public void close() throws IOException {
      relay.close();
    }

    /** Hands the filled buffer to the writing thread and takes a free one. */
    private void drain() throws IOException {
      if (pos > 0) {
        relay.put(buf, pos);
        written += pos;
        pos = 0;
        buf = relay.take();
      }
    }
  }
}
