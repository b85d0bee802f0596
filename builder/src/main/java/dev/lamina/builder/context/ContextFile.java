package dev.lamina.builder.context;

import dev.lamina.layerfs.digest.DigestAlgorithm;
import dev.lamina.layerfs.digest.Hasher;
import dev.lamina.layerfs.posix.OpenDirectory;
import dev.lamina.layerfs.tar.ContentSource;
import dev.lamina.layerfs.tar.TreeWalk;
import dev.lamina.layerfs.digest.Digest;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A regular file of the build context as the content of a layer entry. Its sha256 is known up
 * front when the digest memo still trusts the file's stamp; otherwise it is computed from the very
 * bytes the layer writer reads, so a file is read once per build whether it is hashed for the
 * cache key, written into a layer, or both.
 */
public final class ContextFile implements ContentSource {
  private static final HexFormat HEX = HexFormat.of();
  private static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  /**
   * Each reading thread's buffer for {@link #readAhead}: the file is read straight into it, where
   * a heap array would go through the JDK's own temporary direct buffers, whose reallocation for
   * files of every size grew the native heap by tens of megabytes in a large build.
   */
  private static final ThreadLocal<ByteBuffer> READ_BUFFER =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(ReadAhead.MAX_FILE + 1));

  private final Path host;
  private final String key;
  private final FileStamp stamp;
  private final FileDigests memo;
  private final boolean withoutXattrs;
  private volatile String hex;
  /** The content, read ahead by {@link #readAhead}, until {@link #open} hands it on. */
  private byte[] readAhead;
  /** The file's directory, held open for {@link #readAhead} until it has read, and its name. */
  private OpenDirectory dir;
  private byte[] cName;

  /**
   * The context file at {@code host}, known to {@code memo} as {@code key} (its path relative to
   * the context), as {@code stamp} describes it; whether it has extended attributes is not known.
   */
  public ContextFile(Path host, String key, FileStamp stamp, FileDigests memo) {
    this(host, key, stamp, memo, null, false, null);
  }

  /**
   * As {@link #ContextFile(Path, String, FileStamp, FileDigests)}, with its sha256 (hex) when a
   * walk recalled it ({@link FileDigests#recall}), and whether the walk found it without
   * extended attributes, which the memo then remembers with its digest.
   */
  public ContextFile(Path host, String key, FileStamp stamp, FileDigests memo, String recalledHex,
      boolean withoutXattrs) {
    this(host, key, stamp, memo, recalledHex, withoutXattrs, null);
  }

  /**
   * As {@link #ContextFile(Path, String, FileStamp, FileDigests, String, boolean)}, found by a
   * walk {@code where} it says (or null): a file {@link #readAhead} will read is read from there
   * by its name, without its path looked up again, and holds the directory open until then.
   */
  ContextFile(Path host, String key, FileStamp stamp, FileDigests memo, String recalledHex,
      boolean withoutXattrs, TreeWalk.Where where) {
    this.host = Objects.requireNonNull(host, "host");
    this.key = Objects.requireNonNull(key, "key");
    this.stamp = Objects.requireNonNull(stamp, "stamp");
    this.memo = Objects.requireNonNull(memo, "memo");
    this.withoutXattrs = withoutXattrs;
    this.hex = stamp.size() == 0 ? EMPTY_SHA256
        : recalledHex != null ? recalledHex : memo.knownHex(key, stamp);
    if (where != null && hex == null && stamp.size() <= ReadAhead.MAX_FILE) {
      this.dir = where.dir().retain();
      this.cName = where.cName();
    }
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
      release();
      h = FileDigests.hash(host).hex();
      hex = h;
      memo.remember(key, stamp, Digest.parse("sha256:" + h), withoutXattrs);
    }
    return h;
  }

  /**
   * Reads and hashes the file now, on the calling thread, when its digest is not known yet and it
   * is no longer than {@link ReadAhead#MAX_FILE}; the bytes are kept for the next {@link #open}. A
   * walk calls this on other threads ahead of the layer write, so that the write's thread only
   * copies (see {@link ContextScanner}). The file is read with one more byte asked than its stamp's
   * size, so that a file grown since its {@code lstat} shows in the same read; a read that comes
   * back short of that is its end (a regular file's read stops short only there), so no further
   * read is made to find the end. A file whose size is not its stamp's is left to {@link #open},
   * whose reader reports the change.
   *
   * @return the number of bytes kept
   * @throws IOException if it cannot be read
   */
  int readAhead() throws IOException {
    OpenDirectory at = takeDirectory();
    try (OpenDirectory held = at) {
      return readAhead(at);
    }
  }

  private int readAhead(OpenDirectory at) throws IOException {
    long size = stamp.size();
    if (hex != null || size > ReadAhead.MAX_FILE) {
      return 0;
    }
    ByteBuffer buf = READ_BUFFER.get();
    buf.clear().limit((int) size + 1);
    if (at == null || at.read(cName, buf, (int) size) < 0) {
      buf.clear().limit((int) size + 1);
      try (FileChannel ch = FileChannel.open(host, StandardOpenOption.READ,
          LinkOption.NOFOLLOW_LINKS)) {
        while (buf.position() < size && ch.read(buf) > 0) {
          // until the stamp's size (or one more byte), or the end
        }
      }
    }
    if (buf.position() != size) {
      return 0; // changed since its lstat: open() reads it again and the writer reports it
    }
    buf.flip();
    // Hashed where it was read (libcrypto reads the direct buffer), then copied out once.
    byte[] sha256 = Digest.raw(DigestAlgorithm.SHA256, buf);
    byte[] bytes = new byte[(int) size];
    buf.get(bytes);
    readAhead = bytes;
    hex = HEX.formatHex(sha256);
    memo.remember(key, stamp, sha256, withoutXattrs);
    return (int) size;
  }

  @Override
  public InputStream open() throws IOException {
    release();
    byte[] bytes = readAhead;
    if (bytes != null) {
      readAhead = null;
      return new ByteArrayInputStream(bytes);
    }
    InputStream in = Files.newInputStream(host, LinkOption.NOFOLLOW_LINKS);
    return hex != null ? in : new Hashing(in);
  }

  /** Lets go of the directory, where it was held for a read ahead that was not made. */
  private void release() {
    OpenDirectory at = takeDirectory();
    if (at != null) {
      at.close();
    }
  }

  /** The directory held, now no longer this file's to close (it is closed exactly once). */
  private synchronized OpenDirectory takeDirectory() {
    OpenDirectory at = dir;
    dir = null;
    return at;
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
        var d = hasher.digest();
        hex = d.hex();
        memo.remember(key, stamp, d, withoutXattrs);
      }
    }
  }
}
