package dev.lamina.builder.context;

import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestAlgorithm;
import dev.lamina.layerfs.digest.Hasher;
import dev.lamina.layerfs.store.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
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
  private static final String HEADER = "lamina-file-digests-v1";

  private final Path memoFile;
  private final Map<String, Entry> memo;
  private final Map<String, Entry> seen = new ConcurrentHashMap<>();
  private final long startedSeconds = System.currentTimeMillis() / 1000;
  private volatile boolean changed;

  private record Entry(long size, long mtimeNanos, long ctimeNanos, long inode, String hex) {}

  private FileDigests(Path memoFile, Map<String, Entry> memo) {
    this.memoFile = memoFile;
    this.memo = memo;
  }

  /** Digests without a memo (every file is read). */
  public static FileDigests uncached() {
    return new FileDigests(null, new ConcurrentHashMap<>());
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
    Map<String, Entry> memo = new ConcurrentHashMap<>();
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      String[] lines = text.split("\n");
      if (lines.length > 0 && lines[0].equals(HEADER)) {
        for (int i = 1; i < lines.length; i++) {
          String[] f = lines[i].split("\u0000", -1);
          if (f.length == 6) {
            memo.put(
                f[0],
                new Entry(
                    Long.parseLong(f[1]),
                    Long.parseLong(f[2]),
                    Long.parseLong(f[3]),
                    Long.parseLong(f[4]),
                    f[5]));
          }
        }
      }
    } catch (NoSuchFileException e) {
      // first build of this context
    } catch (IOException | RuntimeException e) {
      memo.clear(); // a damaged memo only costs re-hashing
    }
    return new FileDigests(file, memo);
  }

  /**
   * The sha256 of the regular file {@code file}, known to the memo as {@code key}.
   *
   * @throws IOException if it cannot be read
   */
  public Digest digest(String key, Path file) throws IOException {
    Map<String, Object> attrs =
        Files.readAttributes(file, "unix:size,lastModifiedTime,ctime,ino", LinkOption.NOFOLLOW_LINKS);
    long size = (Long) attrs.get("size");
    long mtime = nanos((FileTime) attrs.get("lastModifiedTime"));
    long ctime = nanos((FileTime) attrs.get("ctime"));
    long inode = (Long) attrs.get("ino");
    Entry known = memo.get(key);
    if (known != null
        && known.size == size
        && known.mtimeNanos == mtime
        && known.ctimeNanos == ctime
        && known.inode == inode) {
      seen.put(key, known);
      return new Digest(DigestAlgorithm.SHA256, known.hex);
    }
    Digest d = hash(file);
    long newest = Math.max(mtime, ctime) / 1_000_000_000L;
    if (newest + RACY_SECONDS <= startedSeconds) {
      seen.put(key, new Entry(size, mtime, ctime, inode, d.hex()));
      changed = true;
    }
    return d;
  }

  /**
   * Writes the memo back: the entries of the files this build looked at (so deleted files drop
   * out), when anything changed.
   *
   * @throws IOException if it cannot be written
   */
  public void save() throws IOException {
    if (memoFile == null || (!changed && seen.size() == memo.size())) {
      return;
    }
    Map<String, Entry> out = new ConcurrentHashMap<>(memo);
    out.putAll(seen);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes((HEADER + "\n").getBytes(StandardCharsets.UTF_8));
    for (Map.Entry<String, Entry> e : out.entrySet()) {
      Entry v = e.getValue();
      String line =
          String.join(
                  "\u0000",
                  e.getKey(),
                  Long.toString(v.size),
                  Long.toString(v.mtimeNanos),
                  Long.toString(v.ctimeNanos),
                  Long.toString(v.inode),
                  v.hex)
              + "\n";
      bytes.writeBytes(line.getBytes(StandardCharsets.UTF_8));
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

  private static long nanos(FileTime t) {
    return t.to(java.util.concurrent.TimeUnit.NANOSECONDS);
  }
}
