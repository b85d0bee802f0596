package dev.lamina.layerfs.compress;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import dev.lamina.layerfs.oci.MediaType;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * How a layer blob is compressed: not at all, gzip or zstd. Each maps to its OCI layer media type
 * and back, is recognised by its magic bytes, and gives compressing and decompressing streams.
 *
 * <p>Decompression is one level deep: a gzip blob that holds another gzip stream yields the inner
 * gzip bytes, never their content, so a crafted layer cannot make Lamina unpack nested archives
 * (decompression quines, libarchive#660). Concatenated members or frames are one level and are
 * read through.
 */
public enum Compression {
  NONE(MediaType.OCI_LAYER, 0),
  GZIP(MediaType.OCI_LAYER_GZIP, 6),
  ZSTD(MediaType.OCI_LAYER_ZSTD, 3);

  private static final int STREAM_BUFFER = 64 * 1024;
  private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b};
  private static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
  private static final int MAGIC_LENGTH = 4;
  /** Deflate threads; the bytes written do not depend on it. */
  private static final int GZIP_THREADS =
      Math.min(Runtime.getRuntime().availableProcessors(), 8);

  private final String layerMediaType;
  private final int defaultLevel;

  Compression(String layerMediaType, int defaultLevel) {
    this.layerMediaType = layerMediaType;
    this.defaultLevel = defaultLevel;
  }

  /** The OCI media type of a layer compressed this way. */
  public String layerMediaType() {
    return layerMediaType;
  }

  /** The level used when none is given: gzip 6 (gzip's own default), zstd 3 (zstd's). */
  public int defaultLevel() {
    return defaultLevel;
  }

  /**
   * The compression of a layer with {@code mediaType}: the OCI layer types (distributable or not)
   * and Docker's {@code rootfs.diff.tar[.gzip]} and foreign layers; empty for any other type.
   */
  public static Optional<Compression> fromMediaType(String mediaType) {
    if (mediaType == null) {
      return Optional.empty();
    }
    switch (mediaType) {
      case MediaType.OCI_LAYER:
      case MediaType.OCI_LAYER_NONDISTRIBUTABLE:
      case MediaType.DOCKER_LAYER:
      case "application/vnd.docker.image.rootfs.foreign.diff.tar":
        return Optional.of(NONE);
      case MediaType.OCI_LAYER_GZIP:
      case MediaType.OCI_LAYER_NONDISTRIBUTABLE_GZIP:
      case MediaType.DOCKER_LAYER_GZIP:
      case MediaType.DOCKER_FOREIGN_LAYER_GZIP:
        return Optional.of(GZIP);
      case MediaType.OCI_LAYER_ZSTD:
      case "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd":
        return Optional.of(ZSTD);
      default:
        return Optional.empty();
    }
  }

  /**
   * The compression whose magic number starts {@code head[0..length)}: gzip ({@code 1f 8b}), zstd
   * ({@code 28 b5 2f fd}), else {@link #NONE}.
   */
  public static Compression detect(byte[] head, int length) {
    if (startsWith(head, length, ZSTD_MAGIC)) {
      return ZSTD;
    }
    if (startsWith(head, length, GZIP_MAGIC)) {
      return GZIP;
    }
    return NONE;
  }

  /**
   * Peeks at the first bytes of {@code in} and resets it, so the caller reads from the start.
   *
   * @throws IllegalArgumentException if {@code in} does not support mark (wrap it in a {@link
   *     BufferedInputStream})
   * @throws IOException if reading fails
   */
  public static Compression detect(InputStream in) throws IOException {
    if (!in.markSupported()) {
      throw new IllegalArgumentException("detect needs a stream that supports mark/reset");
    }
    in.mark(MAGIC_LENGTH);
    try {
      byte[] head = in.readNBytes(MAGIC_LENGTH);
      return detect(head, head.length);
    } finally {
      in.reset();
    }
  }

  /** A compressing stream at {@link #defaultLevel()}; see {@link #compress(OutputStream, int)}. */
  public OutputStream compress(OutputStream out) throws IOException {
    return compress(out, defaultLevel);
  }

  /**
   * A stream that compresses into {@code out}; closing it ends the compressed stream and closes
   * {@code out}. The output depends only on the input and the level (and on the zlib or zstd
   * library version), never on the host or the time: gzip is one member with modification time 0
   * and no name, deflated on all cores in fixed blocks like pigz; zstd is one frame with a content
   * checksum. {@link #NONE} ignores the level.
   *
   * @throws IllegalArgumentException if the level is out of range (gzip 0-9, zstd as zstd allows,
   *     0 excluded)
   * @throws IOException if the stream cannot be started
   */
  public OutputStream compress(OutputStream out, int level) throws IOException {
    Objects.requireNonNull(out, "out");
    switch (this) {
      case NONE:
        return out;
      case GZIP:
        return new ParallelGzipOutputStream(out, level, GZIP_THREADS);
      case ZSTD:
        if (level == 0
            || level < Zstd.minCompressionLevel()
            || level > Zstd.maxCompressionLevel()) {
          throw new IllegalArgumentException("zstd level must be " + Zstd.minCompressionLevel()
              + " to " + Zstd.maxCompressionLevel() + " (not 0), not " + level);
        }
        return new ZstdOutputStreamNoFinalizer(out, level).setChecksum(true);
      default:
        throw new AssertionError(this);
    }
  }

  /**
   * A stream of {@code in}'s decompressed bytes, one level deep; closing it closes {@code in}. A
   * corrupt or truncated stream fails with an {@link IOException} when read.
   *
   * @throws IOException if the stream's header is unreadable
   */
  public InputStream decompress(InputStream in) throws IOException {
    Objects.requireNonNull(in, "in");
    switch (this) {
      case NONE:
        return in;
      case GZIP:
        return new GZIPInputStream(in, STREAM_BUFFER);
      case ZSTD:
        return new ZstdInputStreamNoFinalizer(in);
      default:
        throw new AssertionError(this);
    }
  }

  private static boolean startsWith(byte[] head, int length, byte[] magic) {
    if (length < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (head[i] != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
