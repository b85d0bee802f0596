package dev.lamina.layerfs.tar;

import dev.lamina.layerfs.posix.OpenDirectory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A regular file a {@link TreeWalk} found, as the content of its layer entry: read by its name in
 * the directory the walk listed it from, which it holds open until the file is read ({@link
 * OpenDirectory#read}, {@link OpenDirectory#openFile}); small files are read ahead of the write
 * ({@link ReadAhead}).
 *
 * <p>Why by name: a file opened by its full path is found by looking up every directory above it
 * again, so a directory swapped for a symlink after the walk listed it would lead the read out of
 * the tree (CVE-2018-15664's race). Opened relative to the directory listed, the read stays in
 * the tree, and costs one lookup instead of one per component. Only the first read goes there (the
 * directory is let go then); a file opened again is opened by path, without following a final
 * symlink.
 */
public final class WalkedFile implements ReadAhead.Content {
  /**
   * Each reading thread's buffer for {@link #readAhead}: the file is read straight into it, where
   * a heap array would go through the JDK's own temporary direct buffers, whose reallocation for
   * files of every size grew the native heap by tens of megabytes in a large build.
   */
  private static final ThreadLocal<ByteBuffer> READ_BUFFER =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(ReadAhead.MAX_FILE + 1));

  private final Path host;
  private final long size;
  private final byte[] cName;
  /** The file's directory, held until the first read, or null (then it is read by path). */
  private OpenDirectory dir;
  /** The content, read ahead, until {@link #open} hands it on. */
  private byte[] bytes;
  private boolean triedAhead;

  /**
   * The file at {@code host}, of {@code size} bytes as the walk stat'ed it, found {@code where}
   * the walk says (valid during the walk's call only: the directory is retained here), or
   * anywhere (null: read by path).
   */
  public WalkedFile(Path host, long size, TreeWalk.Where where) {
    this.host = Objects.requireNonNull(host, "host");
    this.size = size;
    if (where != null && size > 0) {
      this.dir = where.dir().retain();
      this.cName = where.cName();
    } else {
      this.cName = null;
    }
  }

  /** The file's path. */
  public Path path() {
    return host;
  }

  @Override
  public synchronized boolean wantsReadAhead() {
    return !triedAhead && size > 0 && size <= ReadAhead.MAX_FILE;
  }

  @Override
  public int readAhead() throws IOException {
    return readAhead(null);
  }

  /**
   * Reads the file whole now, on the calling thread, if it is no longer than {@link
   * ReadAhead#MAX_FILE}, and keeps the bytes for the next {@link #open}; {@code seen} (if not null)
   * is shown them first, in a buffer it must neither keep nor move. The file is read with one more
   * byte asked than its size, so that a file grown since its {@code lstat} shows in the same read;
   * a read that comes back short of that is its end (a regular file's read stops short only
   * there), so no further read is made to find the end. A file whose size is not the walk's is left
   * to {@link #open}, whose reader reports the change.
   *
   * @return the number of bytes kept
   * @throws IOException if it cannot be read
   */
  public int readAhead(Consumer<ByteBuffer> seen) throws IOException {
    OpenDirectory at;
    synchronized (this) {
      if (triedAhead || size == 0 || size > ReadAhead.MAX_FILE) {
        return 0;
      }
      triedAhead = true;
      at = dir;
      dir = null; // this read's, until it is done
    }
    boolean kept = false;
    try {
      ByteBuffer buf = READ_BUFFER.get();
      buf.clear().limit((int) size + 1);
      if (at == null || at.read(cName, buf, (int) size) < 0) {
        buf.clear().limit((int) size + 1);
        try (FileChannel ch = FileChannel.open(host, StandardOpenOption.READ,
            LinkOption.NOFOLLOW_LINKS)) {
          while (buf.position() < size && ch.read(buf) > 0) {
            // until the size (or one more byte), or the end
          }
        }
      }
      if (buf.position() != size) {
        return 0; // changed since its lstat: open() reads it again and the writer reports it
      }
      buf.flip();
      if (seen != null) {
        seen.accept(buf);
      }
      byte[] read = new byte[(int) size];
      buf.get(0, read);
      synchronized (this) {
        bytes = read;
      }
      kept = true;
      return (int) size;
    } finally {
      if (kept || at == null) {
        if (at != null) {
          at.close(); // read: the directory is not needed any more
        }
      } else {
        synchronized (this) {
          dir = at; // for open(), which reads the file again
        }
      }
    }
  }

  @Override
  public InputStream open() throws IOException {
    byte[] held;
    synchronized (this) {
      held = bytes;
      bytes = null;
    }
    if (held != null) {
      return new ByteArrayInputStream(held);
    }
    OpenDirectory at = takeDirectory();
    if (at == null) {
      return Files.newInputStream(host, LinkOption.NOFOLLOW_LINKS);
    }
    try (at) {
      return at.openFile(cName, host);
    }
  }

  @Override
  public void release() {
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
}
