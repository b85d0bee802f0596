package dev.lamina.builder.context;

import dev.lamina.layerfs.digest.DigestAlgorithm;
import dev.lamina.layerfs.digest.Hasher;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.tar.ReadAhead;
import dev.lamina.layerfs.tar.TreeWalk;
import dev.lamina.layerfs.tar.WalkedFile;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A regular file of the build context as the content of a layer entry. Its sha256 is known up
 * front when the digest memo still trusts the file's stamp; otherwise it is computed from the very
 * bytes the layer writer reads, so a file is read once per build whether it is hashed for the
 * cache key, written into a layer, or both. It is read as the {@link WalkedFile} it is: by name in
 * the directory its walk listed it from, the small ones ahead of the write, hashed where they are
 * read ({@link ReadAhead}).
 */
public final class ContextFile implements ReadAhead.Content {
  private static final HexFormat HEX = HexFormat.of();
  private static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  private final WalkedFile file;
  private final String key;
  private final FileStamp stamp;
  private final FileDigests memo;
  private final boolean withoutXattrs;
  /** Whether the digest was known when the file was found (from its stamp, or empty). */
  private final boolean knownAtFirst;
  private volatile String hex;

  // Who remembers the digest this build learns of the file. A file a walk hands out is learned
  // on one of several threads (read ahead, streamed into the layer, or read to describe it), and
  // that walk remembers it in walk order when it moves past the file (FileDigests.inWalkOrder):
  // exactly one side does, decided by one atomic step each (learn, settleInWalk).
  private static final int ALONE = 0; // in no such walk: remembered by the thread that learns it
  private static final int OPEN = 1; // in a walk, not learned yet
  private static final int LEARNED = 2; // learned while in the walk: the walk remembers it
  private static final int SETTLED = 3; // the walk moved past it: its learner remembers it
  private static final VarHandle ORDER;

  static {
    try {
      ORDER = MethodHandles.lookup().findVarHandle(ContextFile.class, "order", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile int order;
  private volatile byte[] learned;

  /**
   * The context file at {@code host}, known to {@code memo} as {@code key} (its path relative to
   * the context), as {@code stamp} describes it; whether it has extended attributes is not known.
   */
  public ContextFile(Path host, String key, FileStamp stamp, FileDigests memo) {
    this(host, key, stamp, memo, null, false, null, false);
  }

  /**
   * As {@link #ContextFile(Path, String, FileStamp, FileDigests)}, with its sha256 (hex) when a
   * walk recalled it ({@link FileDigests#recall}), and whether the walk found it without
   * extended attributes, which the memo then remembers with its digest.
   */
  public ContextFile(Path host, String key, FileStamp stamp, FileDigests memo, String recalledHex,
      boolean withoutXattrs) {
    this(host, key, stamp, memo, recalledHex, withoutXattrs, null, false);
  }

  /**
   * As {@link #ContextFile(Path, String, FileStamp, FileDigests, String, boolean)}, found by a
   * walk {@code where} it says (or null): the file is read from there by its name, without its
   * path looked up again, and holds the directory open until then. With {@code inWalkOrder}, the
   * walk hands it out through {@link FileDigests#inWalkOrder}, which remembers its digest.
   */
  ContextFile(Path host, String key, FileStamp stamp, FileDigests memo, String recalledHex,
      boolean withoutXattrs, TreeWalk.Where where, boolean inWalkOrder) {
    this.key = Objects.requireNonNull(key, "key");
    this.stamp = Objects.requireNonNull(stamp, "stamp");
    this.memo = Objects.requireNonNull(memo, "memo");
    this.withoutXattrs = withoutXattrs;
    this.file = new WalkedFile(host, stamp.size(), where);
    this.hex = stamp.size() == 0 ? EMPTY_SHA256
        : recalledHex != null ? recalledHex : memo.knownHex(key, stamp);
    this.knownAtFirst = hex != null;
    // Known now, never learned: nothing for the walk to remember (a cached build's every file).
    this.order = !inWalkOrder ? ALONE : hex != null ? SETTLED : OPEN;
  }

  /** The file's path relative to the context. */
  public String key() {
    return key;
  }

  /** The sha256 (hex) of the content, or null while it has not been read. */
  public String knownHex() {
    return hex;
  }

  /**
   * The sha256 (hex) of the content, reading the file now if it has not been read yet.
   *
   * @throws IOException if it cannot be read
   */
  public String hex() throws IOException {
    String h = hex;
    if (h == null) {
      try (InputStream in = file.open()) {
        h = Digest.sha256(in).hex();
      }
      learn(HEX.parseHex(h), h);
    }
    return h;
  }

  /**
   * Whether the file, changed after {@code since}, holds other bytes than the memo last knew of
   * it, or the memo knows nothing of it: its stamp was not the memo's, it changed after {@code
   * since}, and its digest, read now if not yet, is not the one of the memo's record. False for a
   * file whose digest the memo gave.
   *
   * @throws IOException if it cannot be read
   */
  public boolean changedSinceRemembered(Instant since) throws IOException {
    long sinceNanos = since.getEpochSecond() * 1_000_000_000L + since.getNano();
    return !knownAtFirst && stamp.ctimeNanos() > sinceNanos && memo.differsFromRecord(key, hex());
  }

  /** Knows the digest from now on, and has it remembered (see {@code order}). */
  private void learn(byte[] sha256, String h) {
    hex = h;
    learned = sha256;
    if (!ORDER.compareAndSet(this, OPEN, LEARNED)) {
      memo.remember(key, stamp, sha256, withoutXattrs); // in no walk, or the walk moved past it
    }
  }

  /**
   * The walk that handed the file out moves past it: the record of the digest learned until now
   * (null if none, or not to be remembered), which the walk remembers; one learned from now on
   * is remembered by the thread that learns it.
   */
  MemoFile.Record settleInWalk() {
    if (order == SETTLED) {
      return null; // known from the start, or settled already: one read, no atomic write
    }
    return (int) ORDER.getAndSet(this, SETTLED) == LEARNED
        ? memo.record(key, stamp, learned, withoutXattrs)
        : null;
  }

  /** Only a file whose digest is not known yet: a description needs nothing else read. */
  @Override
  public boolean wantsReadAhead() {
    return hex == null && file.wantsReadAhead();
  }

  /**
   * Every small file not read yet, its digest known or not: a layer write reads them all, and
   * read ahead they are read on other threads (a rebuild after one file of a large context
   * changed reads every file again, as a cold build does, but hashes only that one).
   */
  @Override
  public boolean wantsReadAheadToWrite() {
    return file.wantsReadAhead();
  }

  /**
   * Reads the file now, on the calling thread, when it is no longer than {@link
   * ReadAhead#MAX_FILE}, and hashes it when its digest is not known yet; the bytes are kept for the
   * next {@link #open}
   * ({@link WalkedFile#readAhead}, which says how a change since the walk is left to the write).
   *
   * @return the number of bytes kept
   * @throws IOException if it cannot be read
   */
  @Override
  public int readAhead() throws IOException {
    if (hex != null) {
      return file.readAhead(null); // the bytes only: the digest is known
    }
    return file.readAhead(buf -> {
      // Hashed where it was read (libcrypto reads the direct buffer).
      byte[] sha256 = Digest.raw(DigestAlgorithm.SHA256, buf);
      learn(sha256, HEX.formatHex(sha256));
    });
  }

  @Override
  public void release() {
    file.release();
  }

  @Override
  public InputStream open() throws IOException {
    InputStream in = file.open();
    return hex != null ? in : new Hashing(in);
  }

  /** Hashes what passes through; at the end of a complete read the digest is the file's. */
  private final class Hashing extends FilterInputStream {
    private final Hasher hasher = DigestAlgorithm.SHA256.newHasher();
    private long count;
    private boolean done;

    Hashing(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      if (b >= 0) {
        hasher.update((byte) b);
        count++;
      } else {
        finish();
      }
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = in.read(buf, off, len);
      if (n > 0) {
        hasher.update(buf, off, n);
        count += n;
      } else if (n < 0) {
        finish();
      }
      return n;
    }

    @Override
    public long skip(long n) {
      throw new UnsupportedOperationException("a hashed read cannot skip");
    }

    private void finish() {
      // Only a read of exactly the scanned size describes the file as stamped; anything else
      // fails the layer write anyway (the writer checks sizes).
      if (!done && count == stamp.size()) {
        done = true;
        String h = hasher.digest().hex();
        learn(HEX.parseHex(h), h);
      }
    }
  }
}
