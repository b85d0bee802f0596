package dev.lamina.layerfs.registry;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.VerifyingInputStream;
import dev.lamina.layerfs.json.JsonCodec;
import dev.lamina.layerfs.json.JsonFormatException;
import dev.lamina.layerfs.json.JsonObject;
import dev.lamina.layerfs.json.JsonWriter;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.Json;
import dev.lamina.layerfs.store.AtomicFiles;
import dev.lamina.layerfs.store.BlobInfo;
import dev.lamina.layerfs.store.BlobStore;
import dev.lamina.layerfs.store.BlobWriter;
import dev.lamina.layerfs.store.OciLayout;
import dev.lamina.layerfs.store.PruneHook;
import dev.lamina.layerfs.store.Store;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Layers compressed on their way to a registry, remembered so the next push neither compresses
 * again nor (when the registry has the result) sends anything.
 *
 * <p>Layout, under {@code $LAMINA_ROOT/cache/compressed/}: an OCI image layout whose blobs are the
 * compressed layers (kept apart from {@code images/}, where they would be unreferenced blobs that
 * {@code system check} reports and {@code system prune} removes), and {@code
 * map/<alg>-<hex>.<format>-<level>.json}, one small file per stored layer, format and level, holding
 * the compressed blob's digest and size. An entry counts only while its blob is present with that
 * size; every read of the blob is verified (blobs are not synced to disk: one damaged by a crash
 * is found so, and made again). {@link #pruneHook()} removes entries (and blobs) whose
 * source layer has left the store.
 */
public final class CompressedBlobCache {
  /** A map entry: the compressed blob's digest and size. */
  private static final JsonCodec<BlobInfo> ENTRY =
      new JsonCodec<>() {
        @Override
        public void write(JsonWriter out, BlobInfo info) throws IOException {
          out.startObject().string("digest", info.digest().toString()).number("size", info.size());
          out.endObject();
        }

        @Override
        public BlobInfo read(JsonObject in) throws JsonFormatException {
          String digest = in.string("digest");
          long size = in.longValue("size", -1);
          if (digest == null || !Digest.isValid(digest) || size < 0) {
            throw in.invalid("not a compressed blob's digest and size");
          }
          return new BlobInfo(Digest.parse(digest), size);
        }
      };

  private static final Pattern MAP_NAME =
      Pattern.compile("([a-z0-9]+)-([a-f0-9]+)\\.([a-z]+)-(-?\\d+)\\.json");

  private final Path dir;
  private final OciLayout layout;

  private CompressedBlobCache(Path dir, OciLayout layout) {
    this.dir = dir;
    this.layout = layout;
  }

  /**
   * The cache of {@code store}, created if missing.
   *
   * @throws IOException if it cannot be created
   */
  public static CompressedBlobCache of(Store store) throws IOException {
    Path dir = store.cacheDir().resolve("compressed");
    Files.createDirectories(dir.resolve("map"));
    return new CompressedBlobCache(dir, OciLayout.openOrCreate(dir.resolve("layout")));
  }

  /** The cached blobs. */
  public BlobStore blobs() {
    return layout.blobs();
  }

  /**
   * The compressed form of stored layer {@code source} remembered for {@code format} and {@code
   * level}, if its blob is still here.
   *
   * @throws IOException if the map cannot be read
   */
  public Optional<Descriptor> find(Descriptor source, Compression format, int level)
      throws IOException {
    Path entry = entryPath(source.digest(), format, level);
    byte[] bytes;
    try (InputStream in = Files.newInputStream(entry)) {
      bytes = Json.readCapped(in);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    BlobInfo compressed;
    try {
      compressed = JsonObject.read(bytes, ENTRY);
    } catch (IOException e) {
      return Optional.empty(); // a damaged entry is a miss; the next compression rewrites it
    }
    Digest digest = compressed.digest();
    long size = compressed.size();
    if (!blobs().exists(digest) || blobs().size(digest) != size) {
      return Optional.empty();
    }
    return Optional.of(withBlob(source, format, digest, size));
  }

  /**
   * Compresses stored layer {@code source} (whatever its own compression) with {@code format} and
   * remembers the result. The uncompressed bytes are checked against {@code diffId} on the way, so
   * the layer's diff_id is the same whatever the compression.
   *
   * @param progress hears how many bytes of {@code source} have been read
   * @return {@code source} with the compressed blob's media type, digest and size
   * @throws dev.lamina.layerfs.digest.DigestMismatchException if the stored layer is damaged or
   *     does not decompress to {@code diffId}
   * @throws IOException if reading or writing fails
   */
  public Descriptor compress(
      BlobStore from, Descriptor source, Digest diffId, Compression format, int level,
      LongConsumer progress)
      throws IOException {
    return compress(from, source, diffId, format, level, progress, null);
  }

  /**
   * Like {@link #compress(BlobStore, Descriptor, Digest, Compression, int, LongConsumer)}, and
   * also writes each compressed byte to {@code copy} (when not null) as it is produced, so the
   * blob can be uploaded while it is being made. {@code copy} is flushed, not closed. It has
   * received the whole blob once this returns; when this throws, what it received is not a
   * valid blob and must be thrown away.
   *
   * @throws IOException if reading or writing (to the cache or to {@code copy}) fails
   */
  public Descriptor compress(
      BlobStore from, Descriptor source, Digest diffId, Compression format, int level,
      LongConsumer progress, OutputStream copy)
      throws IOException {
    BlobInfo info;
    try (VerifyingInputStream raw = from.open(source.digest(), source.size());
        BlobWriter w = blobs().newWriter().withoutWriteback()) {
      InputStream counted = new CountingInput(raw, progress);
      BufferedInputStream buffered = new BufferedInputStream(counted, 128 * 1024);
      Compression have = Compression.detect(buffered);
      // An uncompressed layer's blob digest is its diff_id: verifying the blob checks both, so
      // the bytes are not hashed twice.
      InputStream plain =
          have == Compression.NONE && source.digest().equals(diffId)
              ? buffered
              : new VerifyingInputStream(have.decompress(buffered), diffId, -1);
      // Hashing and storing the output (and sending the copy) run on a thread of their own, so
      // that reading, hashing and compressing the layer go on meanwhile.
      AsyncOutputStream sink = new AsyncOutputStream(new Tee(w, copy), "lamina-compressed-out");
      try {
        OutputStream out = format.compress(sink, level);
        byte[] buf = new byte[256 * 1024];
        int n;
        while ((n = plain.read(buf)) >= 0) {
          out.write(buf, 0, n);
        }
        // The source is verified to its end before the compressed stream is ended: a damaged
        // layer never yields a complete blob, in the cache or in the copy.
        raw.drainAndDigest();
        out.close(); // ends the compressed stream and waits for the sink; Tee keeps w open
      } catch (IOException | RuntimeException | Error e) {
        sink.abort(); // before the writer is discarded
        throw e;
      }
      // Not synced to disk: a cached blob is verified whenever it is read, and made again when
      // it is missing or damaged (see forget), so a crash costs a compression, never an error.
      info = w.commitUnsynced();
    }
    remember(source.digest(), format, level, info);
    return withBlob(source, format, info.digest(), info.size());
  }

  /**
   * Forgets the compressed form of {@code source} for {@code format} and {@code level}, and
   * deletes its blob: for a blob found damaged.
   *
   * @throws IOException if the entry or blob cannot be deleted
   */
  public void forget(Descriptor source, Compression format, int level, Digest compressed)
      throws IOException {
    Files.deleteIfExists(entryPath(source.digest(), format, level));
    blobs().delete(compressed);
  }

  private void remember(Digest source, Compression format, int level, BlobInfo info)
      throws IOException {
    AtomicFiles.write(entryPath(source, format, level), JsonWriter.toBytes(info, ENTRY));
  }

  private static Descriptor withBlob(Descriptor source, Compression format, Digest d, long size) {
    return new Descriptor(
        format.layerMediaType(), d, size, source.urls(), source.annotations(), null, null,
        source.artifactType());
  }

  private Path entryPath(Digest source, Compression format, int level) {
    return dir.resolve("map")
        .resolve(source.algorithm().id() + "-" + source.hex() + "."
            + format.name().toLowerCase(java.util.Locale.ROOT) + "-" + level + ".json");
  }

  /**
   * A {@link PruneHook} for {@code system prune}: drops entries whose source layer is no longer in
   * the store, then cached blobs no entry names, and temp files of pushes killed long ago.
   */
  public static PruneHook pruneHook() {
    return store -> {
      Path dir = store.cacheDir().resolve("compressed");
      if (!Files.isDirectory(dir.resolve("map"))) {
        return 0;
      }
      CompressedBlobCache cache = of(store);
      java.util.Set<Digest> kept = new java.util.HashSet<>();
      long freed = 0;
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir.resolve("map"))) {
        for (Path e : entries) {
          Matcher m = MAP_NAME.matcher(e.getFileName().toString());
          String source = m.matches() ? m.group(1) + ":" + m.group(2) : "";
          if (Digest.isValid(source) && store.blobs().exists(Digest.parse(source))) {
            try {
              kept.add(JsonObject.read(Files.readAllBytes(e), ENTRY).digest());
              continue;
            } catch (IOException ignored) {
              // unreadable: removed below
            }
          }
          Files.deleteIfExists(e);
        }
      }
      for (Digest d : cache.blobs().list()) {
        if (!kept.contains(d)) {
          long size = cache.blobs().size(d);
          if (cache.blobs().delete(d)) {
            freed += size;
          }
        }
      }
      Instant old = Instant.now().minus(Duration.ofDays(1));
      try (DirectoryStream<Path> temps =
          Files.newDirectoryStream(dir.resolve("layout"), ".lamina-tmp-*")) {
        for (Path t : temps) {
          if (Files.getLastModifiedTime(t).toInstant().isBefore(old)) {
            freed += Files.size(t);
            Files.deleteIfExists(t);
          }
        }
      }
      return freed;
    };
  }

  /** Counts the bytes read from the source. */
  private static final class CountingInput extends FilterInputStream {
    private final LongConsumer progress;
    private long count;

    CountingInput(InputStream in, LongConsumer progress) {
      super(in);
      this.progress = progress;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        progress.accept(++count);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
        progress.accept(count);
      }
      return n;
    }
  }

  /** Writes to the cache writer and to an optional copy; closing leaves both open. */
  private static final class Tee extends OutputStream {
    private final OutputStream out;
    private final OutputStream copy;

    Tee(OutputStream out, OutputStream copy) {
      this.out = out;
      this.copy = copy;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      if (copy != null) {
        copy.write(b, off, len);
      }
    }

    @Override
    public void flush() throws IOException {
      out.flush();
      if (copy != null) {
        copy.flush();
      }
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
