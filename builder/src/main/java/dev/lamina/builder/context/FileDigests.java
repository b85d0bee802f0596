package dev.lamina.builder.context;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestAlgorithm;
import dev.lamina.layerfs.digest.Hasher;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.TreeWalk;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sha256 of context files, remembered between builds the way git's index and BuildKit's
 * fsutil remember them: a digest is reused only while the file's size, modification time, change
 * time and inode are exactly those it had when it was hashed, so only files whose metadata
 * changed are read again. The digest is what the cache keys hold; the memo only spares reading
 * unchanged files again.
 *
 * <p>A file changed within the same clock tick as its hashing could keep all four values, so an
 * entry is remembered only when the file was last changed at least {@link #RACY_SECONDS} before
 * the hash was taken ("racy" entries are hashed again next time).
 *
 * <p>The memo of a context lives in {@code $LAMINA_ROOT/cache/digests/<sha256 of its path>}; it
 * names the context only to find the memo again, never in a cache key. It stays on disk ({@link
 * MemoFile}): the digests a build learns are appended to a spill file of each thread in the order
 * its walk learns them (runs of ascending keys), and merged with the old memo when the build
 * saves, so neither side of a million-file context is ever held in memory.
 */
public final class FileDigests implements Closeable {
  static final long RACY_SECONDS = 2;
  private static final String SPILL_SUFFIX = ".learned";
  private static final HexFormat HEX = HexFormat.of();

  private final Path memoFile;
  private final MemoFile memo;
  private final long startedSeconds = System.currentTimeMillis() / 1000;
  private final Map<Thread, Spill> spills = new ConcurrentHashMap<>();
  private final AtomicInteger runs = new AtomicInteger();

  private FileDigests(Path memoFile, MemoFile memo) {
    this.memoFile = memoFile;
    this.memo = memo;
  }

  /** Digests without a memo (every file is read). */
  public static FileDigests uncached() {
    return new FileDigests(null, null);
  }

  /**
   * Digests for files of {@code contextDir}, with the memo kept under {@code memoDir}.
   *
   * @throws IOException never for a missing or damaged memo (it is ignored); only on I/O errors
   */
  public static FileDigests forContext(Path memoDir, Path contextDir) throws IOException {
    String name =
        Digest.sha256(contextDir.toString().getBytes(StandardCharsets.UTF_8)).hex();
    Path file = memoDir.resolve(name);
    removeStaleSpills(memoDir);
    return new FileDigests(file, MemoFile.open(file));
  }

  /**
   * Deletes spill files a killed build left behind: a day old, so never those of a build still
   * running.
   */
  private static void removeStaleSpills(Path memoDir) {
    long dayAgo = System.currentTimeMillis() - 24 * 3600 * 1000L;
    try (java.nio.file.DirectoryStream<Path> spills =
        Files.newDirectoryStream(memoDir, "*" + SPILL_SUFFIX)) {
      for (Path p : spills) {
        if (Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() < dayAgo) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      // no memo directory yet, or a spill gone meanwhile: nothing to clean
    }
  }

  /**
   * The remembered sha256 (hex) of the file known as {@code key} if it still has {@code stamp},
   * else null. Cheapest when asked in {@link LayerEntry#PATH_ORDER}, as a walk asks.
   */
  public String knownHex(String key, FileStamp stamp) {
    if (memo == null) {
      return null;
    }
    MemoFile.Record r;
    synchronized (memo) {
      try {
        r = memo.find(key);
      } catch (IOException e) {
        return null; // an unreadable memo only costs reading the file
      }
    }
    return r != null && r.matches(stamp) ? HEX.formatHex(r.digest()) : null;
  }

  /**
   * What the memo knows of a directory's files as a {@link TreeWalk} lists them, for a walk of
   * the directory whose keys start with {@code prefix}: for each regular file whose record still
   * matches its stamp and says it had no extended attributes, its sha256 (hex), which the walk
   * hands to its describer and for which it reads no xattrs. The change time is in the stamp,
   * and every change of a file's xattrs moves it, so an unchanged stamp means unchanged (absent)
   * xattrs. Asked on the walk's listing threads, one directory at a time, in key order.
   */
  public TreeWalk.Recall recall(String prefix) {
    if (memo == null) {
      return null;
    }
    return (dir, names, stats) -> {
      Object[] known = new Object[names.length];
      String above = dir.isEmpty() ? prefix : prefix + dir + "/";
      synchronized (memo) {
        for (int i = 0; i < names.length; i++) {
          if (!stats[i].isRegularFile() || stats[i].size() == 0) {
            continue;
          }
          try {
            MemoFile.Record r = memo.find(above + names[i]);
            if (r != null && r.withoutXattrs() && r.matches(FileStamp.of(stats[i]))) {
              known[i] = HEX.formatHex(r.digest());
            }
          } catch (IOException e) {
            return known; // an unreadable memo only costs reading the files
          }
        }
      }
      return known;
    };
  }

  /**
   * Remembers that the file known as {@code key}, with {@code stamp}, has {@code digest}; unless
   * the file changed too recently for its stamp to be trusted.
   */
  public void remember(String key, FileStamp stamp, Digest digest) {
    remember(key, stamp, digest, false);
  }

  /**
   * As {@link #remember(String, FileStamp, Digest)}, and whether the file had no extended
   * attributes a layer keeps with that stamp: a later walk then reads none while the stamp holds
   * ({@link #recall}).
   */
  public void remember(String key, FileStamp stamp, Digest digest, boolean withoutXattrs) {
    if (digest.algorithm() == DigestAlgorithm.SHA256) {
      remember(key, stamp, HEX.parseHex(digest.hex()), withoutXattrs);
    }
  }

  /**
   * As {@link #remember(String, FileStamp, Digest, boolean)}, with the sha256 as its raw bytes,
   * as a walk that reads and hashes a file ahead has it: nothing to format or parse.
   */
  void remember(String key, FileStamp stamp, byte[] sha256, boolean withoutXattrs) {
    long newest = Math.max(stamp.mtimeNanos(), stamp.ctimeNanos()) / 1_000_000_000L;
    if (memoFile == null || newest + RACY_SECONDS > startedSeconds || key.length() > 16_000) {
      return;
    }
    MemoFile.Record r = new MemoFile.Record(key, stamp.size(), stamp.mtimeNanos(),
        stamp.ctimeNanos(), stamp.inode(), withoutXattrs, sha256);
    try {
      spills.computeIfAbsent(Thread.currentThread(), t -> Spill.create(memoFile)).add(r, runs);
    } catch (IOException | UncheckedIOException e) {
      // not remembered: the file is read again next time
    }
  }

  /**
   * The sha256 of the regular file {@code file}, known to the memo as {@code key}.
   *
   * @throws IOException if it cannot be read
   */
  public Digest digest(String key, Path file) throws IOException {
    FileStamp stamp = FileStamp.of(file);
    String hex = knownHex(key, stamp);
    if (hex != null) {
      return new Digest(DigestAlgorithm.SHA256, hex);
    }
    Digest d = hash(file);
    remember(key, stamp, d);
    return d;
  }

  /**
   * Writes the memo back when this build learned anything: the old records and the learned ones
   * merged in key order, a learned record replacing an old one of the same key.
   *
   * @throws IOException if it cannot be written
   */
  public void save() throws IOException {
    if (memoFile == null || spills.isEmpty()) {
      return;
    }
    List<Source> sources = new ArrayList<>();
    if (memo != null) {
      synchronized (memo) {
        sources.add(new Source(memo.records(), -1));
      }
    }
    for (Spill s : spills.values()) {
      sources.addAll(s.runs());
    }
    try {
      MemoFile.write(memoFile, new Merge(sources));
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    close();
  }

  /** Deletes the spill files (what a build learned and did not save is forgotten). */
  @Override
  public void close() throws IOException {
    for (Spill s : spills.values()) {
      s.delete();
    }
    spills.clear();
    if (memo != null) {
      memo.close();
    }
  }

  /**
   * The sha256 of a file's bytes, read without following a final symlink.
   *
   * @throws IOException if it cannot be read
   */
  public static Digest hash(Path file) throws IOException {
    Hasher h = DigestAlgorithm.SHA256.newHasher();
    byte[] buf = new byte[256 * 1024];
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        h.update(buf, 0, n);
      }
    }
    return h.digest();
  }

  /** Records in key order from one place, and how new they are (higher wins a tie). */
  private static final class Source {
    final Iterator<MemoFile.Record> records;
    final int age;
    MemoFile.Record head;

    Source(Iterator<MemoFile.Record> records, int age) {
      this.records = records;
      this.age = age;
      head = records.hasNext() ? records.next() : null;
    }

    void advance() {
      head = records.hasNext() ? records.next() : null;
    }
  }

  /** Several sorted sources as one, each key once, from the newest source that has it. */
  private static final class Merge implements Iterator<MemoFile.Record> {
    private final PriorityQueue<Source> queue = new PriorityQueue<>((a, b) -> {
      int c = LayerEntry.PATH_ORDER.compare(a.head.key(), b.head.key());
      return c != 0 ? c : Integer.compare(b.age, a.age);
    });

    Merge(List<Source> sources) {
      for (Source s : sources) {
        if (s.head != null) {
          queue.add(s);
        }
      }
    }

    @Override
    public boolean hasNext() {
      return !queue.isEmpty();
    }

    @Override
    public MemoFile.Record next() {
      if (queue.isEmpty()) {
        throw new NoSuchElementException();
      }
      Source newest = queue.poll();
      MemoFile.Record out = newest.head;
      reinsert(newest);
      while (!queue.isEmpty() && queue.peek().head.key().equals(out.key())) {
        reinsert(queue.poll()); // older records of the same file
      }
      return out;
    }

    private void reinsert(Source s) {
      s.advance();
      if (s.head != null) {
        queue.add(s);
      }
    }
  }

  /**
   * The records one thread learned, appended as learned: each walk learns in key order, so the
   * file is a few runs of ascending keys, which {@link #save} merges.
   */
  private static final class Spill {
    private final Path file;
    private final MemoFile.Counting counted;
    private final DataOutputStream out;
    private final List<long[]> runs = new ArrayList<>(); // {start offset, records, age}
    private String lastKey;
    private FileChannel reading;

    private Spill(Path file) throws IOException {
      this.file = file;
      this.counted = new MemoFile.Counting(
          new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.WRITE),
              64 * 1024));
      this.out = new DataOutputStream(counted);
    }

    static Spill create(Path memoFile) {
      try {
        Files.createDirectories(memoFile.getParent());
        return new Spill(Files.createTempFile(memoFile.getParent(),
            memoFile.getFileName() + ".", SPILL_SUFFIX));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void add(MemoFile.Record r, AtomicInteger ages) throws IOException {
      if (lastKey == null || LayerEntry.PATH_ORDER.compare(lastKey, r.key()) >= 0) {
        out.flush();
        runs.add(new long[] {counted.count, 0, ages.incrementAndGet()});
      }
      r.writeTo(out);
      runs.get(runs.size() - 1)[1]++;
      lastKey = r.key();
    }

    List<Source> runs() throws IOException {
      out.flush();
      reading = FileChannel.open(file, StandardOpenOption.READ);
      List<Source> sources = new ArrayList<>();
      for (long[] run : runs) {
        DataInputStream in = MemoFile.reader(reading, run[0]);
        long count = run[1];
        sources.add(new Source(new Iterator<>() {
          private long read;

          @Override
          public boolean hasNext() {
            return read < count;
          }

          @Override
          public MemoFile.Record next() {
            try {
              read++;
              return MemoFile.Record.readFrom(in);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }
        }, (int) run[2]));
      }
      return sources;
    }

    void delete() throws IOException {
      out.close();
      if (reading != null) {
        reading.close();
      }
      Files.deleteIfExists(file);
    }
  }
}
