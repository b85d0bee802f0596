package dev.lamina.builder.context;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestAlgorithm;
import dev.lamina.layerfs.digest.Hasher;
import dev.lamina.layerfs.posix.FileStat;
import dev.lamina.layerfs.posix.Posix;
import dev.lamina.layerfs.tar.LayerEntry;
import dev.lamina.layerfs.tar.TreeWalk;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

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
 * MemoFile}), so neither side of a million-file context is ever held in memory: the digests a
 * walk of the context learns are appended to a spill file of that walk in walk order ({@link
 * #inWalkOrder}), the others to a spill file of the thread that learns them, and the build's
 * save merges them with the old memo, or, when the build learned everything in one walk and kept
 * nothing of the old memo (a cold build), renames that walk's spill into place as the new memo.
 * A build that learned little next to the memo (a rebuild after a few files changed) leaves the
 * memo file as it is and saves what it learned, with what earlier such builds did, in a delta
 * beside it ({@link Memo}), which readers merge in; once the delta outgrows its share of the memo,
 * a save merges memo, delta and what it learned into a new memo. Every save replaces one whole
 * file by one rename: a build that fails or is killed leaves the old memo and delta, and of two
 * builds of a context at once, one save is kept and the other's learned digests are lost (they
 * are hashed again).
 */
public final class FileDigests implements Closeable {
  static final long RACY_SECONDS = 2;
  /** How many files of the delta {@link #changedAgain} looks at, at most. */
  static final int PROBED = 64;
  private static final HexFormat HEX = HexFormat.of();

  private final Path memoFile;
  private final Memo memo;
  private final long startedSeconds = System.currentTimeMillis() / 1000;
  private final Map<Thread, Spill> threadSpills = new ConcurrentHashMap<>();
  private final Queue<Spill> walkSpills = new ConcurrentLinkedQueue<>();
  private final AtomicInteger runs = new AtomicInteger();

  private FileDigests(Path memoFile, Memo memo) {
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
    Memo memo = Memo.open(file);
    removeStale(memoDir, "*" + Spill.SUFFIX, null);
    removeStale(memoDir, name + ".*" + Memo.DELTA_SUFFIX, memo == null ? null : memo.deltaFile());
    removeStale(memoDir, "." + name + "*.tmp-*", null); // a memo or delta cut short by a crash
    return new FileDigests(file, memo);
  }

  /**
   * Deletes the files of {@code memoDir} matching {@code glob} that a day passed over, but
   * {@code current}: spills and temporary files a killed build left behind, and deltas of a memo
   * since replaced (read by nothing). A day old, so never those of a build still running.
   */
  private static void removeStale(Path memoDir, String glob, Path current) {
    long dayAgo = System.currentTimeMillis() - 24 * 3600 * 1000L;
    try (java.nio.file.DirectoryStream<Path> stale = Files.newDirectoryStream(memoDir, glob)) {
      for (Path p : stale) {
        if (!p.equals(current)
            && Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toMillis() < dayAgo) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      // no memo directory yet, or a file gone meanwhile: nothing to clean
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
    synchronized (memo) {
      try {
        MemoFile.Record r = valid(memo.find(key), stamp);
        return r != null ? HEX.formatHex(r.digest()) : null;
      } catch (IOException e) {
        return null; // an unreadable memo only costs reading the file
      }
    }
  }

  /**
   * Whether {@code hex} is not the sha256 the memo holds for {@code key}, whatever the stamp of
   * its record, or the memo holds none; false without a memo (nothing is known).
   */
  boolean differsFromRecord(String key, String hex) {
    if (memo == null) {
      return false;
    }
    synchronized (memo) {
      try {
        MemoFile.Record r = memo.find(key);
        return r == null || !HEX.formatHex(r.digest()).equals(hex);
      } catch (IOException e) {
        return false; // an unreadable memo tells nothing
      }
    }
  }

  /**
   * The record {@code r}, just found, if it still has {@code stamp}; one that does not is noted
   * outdated ({@link MemoFile#outdate}). Called holding the memo's lock.
   */
  private MemoFile.Record valid(MemoFile.Record r, FileStamp stamp) {
    if (r == null) {
      return null;
    }
    if (!r.matches(stamp)) {
      memo.outdate(r);
      return null;
    }
    return r;
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
        boolean inDelta = memo.deltaMayHold(above);
        for (int i = 0; i < names.length; i++) {
          if (!stats[i].isRegularFile() || stats[i].size() == 0) {
            continue;
          }
          try {
            MemoFile.Record r =
                valid(memo.find(above.concat(names[i]), inDelta), FileStamp.of(stats[i]));
            if (r != null && r.withoutXattrs()) {
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
   * Whether a file a recent build learned has other bytes now: one of the files of the memo's
   * delta (those whose stamps had changed when a build that learned little ran: files being
   * edited) that {@code fileOf} gives a path for (the files a step copies) no longer has the stamp
   * of its record, changed after {@code since}, and its size or its sha256 is another. A file
   * being edited is the likeliest to have changed again, and this finds it with a few {@code
   * lstat} calls, where a walk of a large context would meet it anywhere, last perhaps. At most
   * {@value #PROBED} files are looked at; a file that cannot be read, or is no longer a regular
   * file, tells nothing. It only tells where to look first: a cache key is always made from the
   * walk that reads the files.
   *
   * <p>Why {@code since} (when the step last ran): a file changed within {@link #RACY_SECONDS} of
   * a build is not remembered, so its record can be older than what that build saw; a file
   * changed before the step's last run was seen by it, whatever its record says.
   *
   * @param fileOf the path of the file known as a key, or null for a file that does not count
   */
  public boolean changedAgain(Function<String, Path> fileOf, Instant since) {
    long sinceNanos = since.getEpochSecond() * 1_000_000_000L + since.getNano();
    if (memo == null) {
      return false;
    }
    List<MemoFile.Record> recent = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    synchronized (memo) {
      try {
        for (Iterator<MemoFile.Record> it = memo.deltaRecords();
            it.hasNext() && recent.size() < PROBED; ) {
          MemoFile.Record r = it.next();
          Path file = fileOf.apply(r.key());
          if (file != null) {
            recent.add(r);
            files.add(file);
          }
        }
      } catch (IOException | RuntimeException e) {
        return false; // an unreadable delta tells nothing
      }
    }
    for (int i = 0; i < recent.size(); i++) {
      MemoFile.Record r = recent.get(i);
      try {
        FileStat st = Posix.lstat(files.get(i));
        if (!st.isRegularFile()) {
          continue;
        }
        FileStamp stamp = FileStamp.of(st);
        if (r.matches(stamp) || stamp.ctimeNanos() <= sinceNanos) {
          continue;
        }
        if (stamp.size() != r.size()
            || !hash(files.get(i)).hex().equals(HEX.formatHex(r.digest()))) {
          return true;
        }
      } catch (IOException e) {
        // gone or unreadable: the walk finds out what became of it
      }
    }
    return false;
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
    MemoFile.Record r = record(key, stamp, sha256, withoutXattrs);
    if (r == null) {
      return;
    }
    try {
      threadSpills.computeIfAbsent(Thread.currentThread(), t -> Spill.create(memoFile))
          .add(r, runs);
    } catch (IOException | UncheckedIOException e) {
      // not remembered: the file is read again next time
    }
  }

  /**
   * The record of what was learned of a file, or null when it is not to be remembered: no memo,
   * the file changed too recently for its stamp to be trusted, or a key too long for a record.
   */
  MemoFile.Record record(String key, FileStamp stamp, byte[] sha256, boolean withoutXattrs) {
    long newest = Math.max(stamp.mtimeNanos(), stamp.ctimeNanos()) / 1_000_000_000L;
    if (memoFile == null || newest + RACY_SECONDS > startedSeconds || key.length() > 16_000) {
      return null;
    }
    return new MemoFile.Record(key, stamp.size(), stamp.mtimeNanos(), stamp.ctimeNanos(),
        stamp.inode(), withoutXattrs, sha256);
  }

  /**
   * The entries of {@code walk}, a walk of context files in {@link LayerEntry#PATH_ORDER} (keys
   * in that order too: a walk's keys are one prefix and its paths), each iteration remembering
   * what it learns of its files in that order, in a spill of its own. A file's digest is learned
   * on one of several threads (a read-ahead thread before the file is handed out, the layer
   * write's thread while it streams the file, or whoever describes it for the cache key), each
   * at its own time; the iteration writes the file's record when it moves past the file: the
   * reader asks for the next entry (or the end) only once it is done with this one, and by then
   * each of those threads has learned what it will of it ({@link ContextFile#settleInWalk}). So
   * the spill is sorted as the memo is, and a cold build's spill is its new memo ({@link #save}).
   * A digest learned after the iteration moved past its file is not lost: its thread remembers
   * it in its own spill, and the save merges (so does a walk that only describes its files, for a
   * cache lookup, and reads the last one after it asked for the end).
   */
  Iterable<LayerEntry> inWalkOrder(Iterable<LayerEntry> walk) {
    return () -> new InWalkOrder(walk.iterator());
  }

  /** One iteration of {@link #inWalkOrder}. */
  private final class InWalkOrder implements Iterator<LayerEntry> {
    private final Iterator<LayerEntry> entries;
    private LayerEntry handedOut;
    private Spill spill;

    InWalkOrder(Iterator<LayerEntry> entries) {
      this.entries = entries;
    }

    @Override
    public boolean hasNext() {
      if (entries.hasNext()) {
        return true;
      }
      settle();
      return false;
    }

    @Override
    public LayerEntry next() {
      settle();
      LayerEntry e = entries.next();
      handedOut = e;
      return e;
    }

    /** Remembers what was learned of the entry handed out last: its reader is done with it. */
    private void settle() {
      LayerEntry e = handedOut;
      handedOut = null;
      if (e == null || !(e.content() instanceof ContextFile f)) {
        return;
      }
      MemoFile.Record r = f.settleInWalk();
      if (r == null) {
        return;
      }
      try {
        if (spill == null) {
          spill = Spill.create(memoFile);
          walkSpills.add(spill);
        }
        spill.add(r, runs);
      } catch (IOException | UncheckedIOException ex) {
        // not remembered: the file is read again next time
      }
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
   * merged in key order, a learned record replacing an old one of the same key. When one walk's
   * spill holds all that was learned, in order, and the old memo has nothing to keep (there is
   * none, or every record of it was found outdated), that spill is the merge's result as it
   * stands: it becomes the memo without being read again. When what was learned is little next
   * to the memo (with its delta, at most a {@value Memo#DELTA_SHARE}th of its records), only the
   * delta is written again ({@link Memo#saveDelta}), and the memo file is left as it is.
   *
   * @throws IOException if it cannot be written
   */
  public void save() throws IOException {
    if (memoFile == null) {
      return;
    }
    List<Spill> learned = new ArrayList<>(walkSpills);
    learned.addAll(threadSpills.values());
    if (learned.isEmpty()) {
      return;
    }
    long records = 0;
    for (Spill s : learned) {
      records += s.records();
    }
    try {
      if (learned.size() == 1 && learned.get(0).runCount() == 1 && nothingOldToKeep()) {
        learned.get(0).commitAs(memoFile);
        removeDelta();
      } else if (memo != null && memo.deltaTakes(records)) {
        memo.saveDelta(runsOf(learned));
      } else {
        List<MemoMerge.Source> sources = new ArrayList<>();
        if (memo != null) {
          synchronized (memo) {
            sources.add(new MemoMerge.Source(memo.records(), -1));
          }
        }
        sources.addAll(runsOf(learned));
        MemoFile.write(memoFile, new MemoMerge(sources));
        removeDelta();
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    close();
  }

  private static List<MemoMerge.Source> runsOf(List<Spill> spills) throws IOException {
    List<MemoMerge.Source> runs = new ArrayList<>();
    for (Spill s : spills) {
      runs.addAll(s.runs());
    }
    return runs;
  }

  /**
   * Removes the old memo's delta once a new memo file replaced it. Only after: from the rename on
   * it is read no more (its name holds the old file's identity), and until then it completes the
   * old memo; so a crash in between leaves a delta no one reads, swept a day later.
   */
  private void removeDelta() throws IOException {
    if (memo != null) {
      memo.removeDelta();
    }
  }

  /** Whether the old memo holds no record a new one should keep. */
  private boolean nothingOldToKeep() {
    if (memo == null) {
      return true;
    }
    synchronized (memo) {
      return memo.allOutdated();
    }
  }

  /** Deletes the spill files (what a build learned and did not save is forgotten). */
  @Override
  public void close() throws IOException {
    for (Spill s : walkSpills) {
      s.delete();
    }
    walkSpills.clear();
    for (Spill s : threadSpills.values()) {
      s.delete();
    }
    threadSpills.clear();
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
}
