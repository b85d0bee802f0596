package dev.lamina.builder.context;

import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.layerfs.tar.LayerEntry;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The digest memo of a context on disk: one record a file (its key, the stamp it was hashed at,
 * its sha256), sorted by key in {@link LayerEntry#PATH_ORDER}, the order a walk of the context
 * meets its files, followed by a sparse index (every {@value #BLOCK}th key and where its record
 * starts) and a footer. Only the index is held in memory; a lookup reads forward from the
 * nearest indexed record, and the lookups of a walk, which come in the same order as the records,
 * read the file once from start to end. A million files cost a few thousand index entries.
 */
final class MemoFile implements Closeable {
  static final int FORMAT = 0x4c4d4434; // "LMD4"
  static final int BLOCK = 256;
  static final int DIGEST_BYTES = 32;
  private static final int FOOTER = 8 + 8 + 4;
  private static final int BUFFER = 16 * 1024;

  /**
   * One file's record.
   *
   * @param withoutXattrs whether the file had no extended attributes a layer keeps when it had
   *     this stamp (false when that was not known)
   */
  record Record(String key, long size, long mtimeNanos, long ctimeNanos, long inode,
      boolean withoutXattrs, byte[] digest) {
    boolean matches(FileStamp s) {
      return size == s.size()
          && mtimeNanos == s.mtimeNanos()
          && ctimeNanos == s.ctimeNanos()
          && inode == s.inode();
    }

    void writeTo(DataOutputStream out) throws IOException {
      byte[] k = key.getBytes(StandardCharsets.UTF_8);
      if (k.length != key.length() || k.length > 0xffff || !plainAscii(k)) {
        out.writeUTF(key); // modified UTF-8, as readUTF reads it
        out.writeLong(size);
        out.writeLong(mtimeNanos);
        out.writeLong(ctimeNanos);
        out.writeLong(inode);
        out.writeBoolean(withoutXattrs);
        out.write(digest);
        return;
      }
      // The same bytes in one write: an ASCII key (no NUL) is its own modified UTF-8. A walk
      // writes a record for each file it hashes, and seven writes through two streams each were
      // a fortieth of a cold build of a million files.
      byte[] r = new byte[2 + k.length + 4 * 8 + 1 + digest.length];
      ByteBuffer b = ByteBuffer.wrap(r);
      b.putShort((short) k.length).put(k).putLong(size).putLong(mtimeNanos).putLong(ctimeNanos)
          .putLong(inode).put((byte) (withoutXattrs ? 1 : 0)).put(digest);
      out.write(r);
    }

    /** Whether {@code k} (a key's UTF-8, one byte a char) is ASCII without NUL or a lone surrogate. */
    private static boolean plainAscii(byte[] k) {
      for (byte c : k) {
        if (c <= 0 || c == '?') {
          return false; // NUL is two bytes in modified UTF-8; '?' may stand for a lone surrogate
        }
      }
      return true;
    }

    static Record readFrom(DataInputStream in) throws IOException {
      String key = in.readUTF();
      long size = in.readLong();
      long mtime = in.readLong();
      long ctime = in.readLong();
      long inode = in.readLong();
      boolean withoutXattrs = in.readBoolean();
      byte[] digest = new byte[DIGEST_BYTES];
      in.readFully(digest);
      return new Record(key, size, mtime, ctime, inode, withoutXattrs, digest);
    }
  }

  private final FileChannel channel;
  private final long count;
  private final List<String> indexKeys;
  private final long[] indexOffsets;
  // The cursor: the next record not yet consumed (null at the end), and the last key asked for.
  private DataInputStream cursor;
  private long cursorNumber;
  private Record current;
  private String lastAsked;
  private Record given; // the record found last, the cursor already past it
  private long givenNumber; // its place in the file
  // The records found no longer describing their files (see allOutdated): a bit a record.
  private final BitSet outdated = new BitSet();

  private MemoFile(FileChannel channel, long count, List<String> indexKeys, long[] offsets) {
    this.channel = channel;
    this.count = count;
    this.indexKeys = indexKeys;
    this.indexOffsets = offsets;
  }

  /**
   * The memo in {@code file}; null when there is none, or it is damaged or of another format (a
   * memo only spares reading files, so one that cannot be read is started afresh).
   */
  static MemoFile open(Path file) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(file, StandardOpenOption.READ);
    } catch (NoSuchFileException e) {
      return null;
    }
    try {
      long size = ch.size();
      if (size < 4 + FOOTER) {
        ch.close();
        return null;
      }
      ByteBuffer footer = ByteBuffer.allocate(FOOTER);
      ch.read(footer, size - FOOTER);
      footer.flip();
      long indexOffset = footer.getLong();
      long count = footer.getLong();
      if (footer.getInt() != FORMAT || indexOffset < 4 || indexOffset > size - FOOTER) {
        ch.close();
        return null;
      }
      DataInputStream in = reader(ch, indexOffset);
      int entries = in.readInt();
      List<String> keys = new ArrayList<>(entries);
      long[] offsets = new long[entries];
      for (int i = 0; i < entries; i++) {
        keys.add(in.readUTF());
        offsets[i] = in.readLong();
      }
      return new MemoFile(ch, count, keys, offsets);
    } catch (IOException | RuntimeException e) {
      ch.close();
      return null;
    }
  }

  /** The record of {@code key}, or null. */
  Record find(String key) throws IOException {
    // A walk of an unchanged context asks for the record after the one it was given last: one
    // equality then, not the three comparisons below (each a call per character under C1, over
    // keys sharing long prefixes; 0.2 s of CPU in a cached build of a million files).
    if (current != null && current.key().equals(key)) {
      return given(key);
    }
    if (given != null && given.key().equals(key)) {
      return given;
    }
    // Read on from the cursor when the key comes after the last one asked and at most a block
    // ahead; else seek. Decided with two comparisons: a binary search of the index for every
    // lookup was a quarter of the listing threads' time in a cached build of a million files
    // (each comparison a call per character under C1, over keys sharing long prefixes).
    boolean forward = lastAsked != null && cursor != null
        && LayerEntry.PATH_ORDER.compare(lastAsked, key) < 0 && atMostABlockAhead(key);
    if (!forward) {
      int block = block(key);
      if (block < 0) {
        return null;
      }
      seek(block);
    }
    lastAsked = key;
    while (current != null && LayerEntry.PATH_ORDER.compare(current.key(), key) < 0) {
      advance();
    }
    return current != null && current.key().equals(key) ? given(key) : null;
  }

  /**
   * {@link #current}, whose key is {@code key}, given out: the cursor moves on to the record after
   * it, which the next lookup of a walk asks for.
   */
  private Record given(String key) throws IOException {
    given = current;
    givenNumber = cursorNumber - 1;
    lastAsked = key;
    advance();
    return given;
  }

  /**
   * Notes that {@code found}, the record {@link #find} gave last, no longer describes its file
   * (the file's stamp is another): no build can use it again.
   */
  void outdate(Record found) {
    if (found != null && found == given && givenNumber < Integer.MAX_VALUE) {
      outdated.set((int) givenNumber);
    }
  }

  /**
   * Whether every record was found outdated ({@link #outdate}): then a new memo needs none of
   * them, and one built from what a build learned alone loses nothing.
   */
  boolean allOutdated() {
    return outdated.cardinality() == count;
  }

  /** How many records it holds. */
  long count() {
    return count;
  }

  /** Every record, in order, read from the start independently of lookups. */
  Iterator<Record> records() throws IOException {
    DataInputStream in = reader(channel, 4);
    return new Iterator<>() {
      private long read;

      @Override
      public boolean hasNext() {
        return read < count;
      }

      @Override
      public Record next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        read++;
        try {
          return Record.readFrom(in);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
  }

  /** Whether {@code key} lies before the block after the cursor's next one. */
  private boolean atMostABlockAhead(String key) {
    long beyond = cursorNumber / BLOCK + 2;
    return beyond >= indexKeys.size()
        || LayerEntry.PATH_ORDER.compare(key, indexKeys.get((int) beyond)) < 0;
  }

  /** The last indexed block whose first key is at most {@code key}; -1 if before them all. */
  private int block(String key) {
    int i = Collections.binarySearch(indexKeys, key, LayerEntry.PATH_ORDER);
    return i >= 0 ? i : -i - 2;
  }

  private void seek(int block) throws IOException {
    given = null;
    cursor = reader(channel, indexOffsets[block]);
    cursorNumber = (long) block * BLOCK;
    current = null;
    advance();
  }

  private void advance() throws IOException {
    if (cursorNumber >= count) {
      current = null;
      return;
    }
    try {
      current = Record.readFrom(cursor);
      cursorNumber++;
    } catch (EOFException e) {
      current = null;
    }
  }

  /** A reader of {@code ch} from {@code position} on, with a position of its own. */
  static DataInputStream reader(FileChannel ch, long position) {
    return new DataInputStream(new ChannelInput(ch, position));
  }

  /**
   * A buffered stream of a channel from a position on, for one thread. Not a {@link
   * java.io.BufferedInputStream}, whose every read takes a lock: a record costs some ten reads,
   * and a cached build of a million files reads a million records.
   */
  private static final class ChannelInput extends InputStream {
    private final FileChannel ch;
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER).flip();
    private long at;

    ChannelInput(FileChannel ch, long position) {
      this.ch = ch;
      this.at = position;
    }

    @Override
    public int read() throws IOException {
      return buffer.hasRemaining() || fill() ? buffer.get() & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!buffer.hasRemaining() && !fill()) {
        return -1;
      }
      int n = Math.min(len, buffer.remaining());
      buffer.get(b, off, n);
      return n;
    }

    /** Reads the next part of the channel into the empty buffer; false at its end. */
    private boolean fill() throws IOException {
      buffer.clear();
      int n = ch.read(buffer, at);
      buffer.flip();
      if (n <= 0) {
        return false;
      }
      at += n;
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /**
   * Replaces {@code file} with the records {@code sorted} yields (in key order, no key twice),
   * atomically.
   */
  static void write(Path file, Iterator<Record> sorted) throws IOException {
    AtomicFiles.write(file, raw -> {
      Writer out = new Writer(raw);
      while (sorted.hasNext()) {
        out.add(sorted.next());
      }
      out.finish();
    });
  }

  /**
   * Writes a memo to a stream: the header at once, the records as they are added (in key order
   * for a memo; a spill adds them as learned), then on {@link #finish} the index of what was
   * added and the footer. Only the index's keys are held.
   */
  static final class Writer {
    private final Counting counted;
    private final DataOutputStream out;
    private final List<String> keys = new ArrayList<>();
    private final List<Long> offsets = new ArrayList<>();
    private long n;

    Writer(OutputStream raw) throws IOException {
      counted = new Counting(new BufferedOutputStream(raw, 64 * 1024));
      out = new DataOutputStream(counted); // unbuffered itself: the count is exact at each add
      out.writeInt(FORMAT);
    }

    /** Where the next record starts. */
    long position() {
      return counted.count;
    }

    void add(Record r) throws IOException {
      if (n % BLOCK == 0) {
        keys.add(r.key());
        offsets.add(counted.count);
      }
      r.writeTo(out);
      n++;
    }

    /** Writes the index and the footer after the records, and flushes. */
    void finish() throws IOException {
      long indexOffset = counted.count;
      out.writeInt(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        out.writeUTF(keys.get(i));
        out.writeLong(offsets.get(i));
      }
      out.writeLong(indexOffset);
      out.writeLong(n);
      out.writeInt(FORMAT);
      out.flush();
    }

    void flush() throws IOException {
      out.flush();
    }

    void close() throws IOException {
      out.close();
    }
  }

  /** Counts what passes, for the offsets of the index. */
  private static final class Counting extends FilterOutputStream {
    long count;

    Counting(OutputStream out) {
      super(out);
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
