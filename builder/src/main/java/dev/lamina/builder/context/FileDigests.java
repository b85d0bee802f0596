package dev.lamina.builder.context;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestAlgorithm;
import dev.lamina.layerfs.digest.Hasher;
import dev.lamina.layerfs.store.AtomicFiles;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The sha256 of context files, remembered between builds the way git's index remembers them: a
 * digest is reused only while the file's size, modification time, change time and inode are
 * exactly those it had when it was hashed. The digest is what the cache keys hold; the memo only
 * spares reading unchanged files again.
 *
 * <p>A file changed within the same clock tick as its hashing could keep all four values, so an
 * entry is remembered only when the file was last changed at least {@link #RACY_SECONDS} before
 * the hash was taken ("racy" entries are hashed again next time).
 *
 * <p>The memo of a context lives in {@code $LAMINA_ROOT/cache/digests/<sha256 of its path>}; it
 * names the context only to find the memo again, never in a cache key.
 */
public final class FileDigests {
  static final long RACY_SECONDS = 2;
  private static final int FORMAT = 0x4c4d4432; // "LMD2"
  private static final int DIGEST_BYTES = 32;
  private static final HexFormat HEX = HexFormat.of();

  private final Path memoFile;
  private final Map<String, Entry> memo;
  private final Map<String, Entry> learned = new ConcurrentHashMap<>();
  private final long startedSeconds = System.currentTimeMillis() / 1000;

  private record Entry(long size, long mtimeNanos, long ctimeNanos, long inode, String hex) {
    boolean matches(FileStamp s) {
      return size == s.size()
          && mtimeNanos == s.mtimeNanos()
          && ctimeNanos == s.ctimeNanos()
          && inode == s.inode();
    }
  }

  private FileDigests(Path memoFile, Map<String, Entry> memo) {
    this.memoFile = memoFile;
    this.memo = memo;
  }

  /** Digests without a memo (every file is read). */
  public static FileDigests uncached() {
    return new FileDigests(null, new HashMap<>());
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
    Map<String, Entry> memo = new HashMap<>();
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 64 * 1024))) {
      if (in.readInt() == FORMAT) {
        int count = in.readInt();
        for (int i = 0; i < count; i++) {
          String key = in.readUTF();
          long size = in.readLong();
          long mtime = in.readLong();
          long ctime = in.readLong();
          long inode = in.readLong();
          byte[] raw = new byte[DIGEST_BYTES];
          in.readFully(raw);
          memo.put(key, new Entry(size, mtime, ctime, inode, HEX.formatHex(raw)));
        }
      }
    } catch (NoSuchFileException e) {
      // first build of this context
    } catch (EOFException | RuntimeException e) {
      memo.clear(); // a damaged memo only costs re-hashing
    } catch (IOException e) {
      memo.clear();
    }
    return new FileDigests(file, memo);
  }

  /**
   * The remembered sha256 (hex) of the file known as {@code key} if it still has {@code stamp},
   * else null.
   */
  public String knownHex(String key, FileStamp stamp) {
    Entry e = learned.get(key);
    if (e == null) {
      e = memo.get(key);
    }
    return e != null && e.matches(stamp) ? e.hex : null;
  }

  /**
   * Remembers that the file known as {@code key}, with {@code stamp}, has {@code digest}; unless
   * the file changed too recently for its stamp to be trusted.
   */
  public void remember(String key, FileStamp stamp, Digest digest) {
    long newest = Math.max(stamp.mtimeNanos(), stamp.ctimeNanos()) / 1_000_000_000L;
    if (newest + RACY_SECONDS <= startedSeconds && digest.algorithm() == DigestAlgorithm.SHA256) {
      learned.put(key, new Entry(stamp.size(), stamp.mtimeNanos(), stamp.ctimeNanos(),
          stamp.inode(), digest.hex()));
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
   * Writes the memo back when this build learned anything.
   *
   * @throws IOException if it cannot be written
   */
  public void save() throws IOException {
    if (memoFile == null || learned.isEmpty()) {
      return;
    }
    Map<String, Entry> out = new HashMap<>(memo);
    out.putAll(learned);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(out.size() * 96);
    try (DataOutputStream d = new DataOutputStream(bytes)) {
      d.writeInt(FORMAT);
      d.writeInt(out.size());
      for (Map.Entry<String, Entry> e : out.entrySet()) {
        Entry v = e.getValue();
        d.writeUTF(e.getKey());
        d.writeLong(v.size);
        d.writeLong(v.mtimeNanos);
        d.writeLong(v.ctimeNanos);
        d.writeLong(v.inode);
        d.write(HEX.parseHex(v.hex));
      }
    }
    Files.createDirectories(memoFile.getParent());
    AtomicFiles.write(memoFile, bytes.toByteArray());
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
