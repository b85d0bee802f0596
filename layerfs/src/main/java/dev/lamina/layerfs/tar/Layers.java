package dev.lamina.layerfs.tar;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.digest.DigestingOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Collection;
import java.util.Objects;

/** Writes layer blobs in one pass: tar, diff_id, compression, blob digest and size together. */
public final class Layers {
  private Layers() {}

  /**
   * Writes a layer that keeps its entries' times ({@link LayerWriter#preservingMtimes()}); see {@link
   * #write(LayerWriter, Collection, OutputStream, Compression, int)}.
   *
   * @throws IOException if reading content or writing the blob fails
   */
  public static LayerDigests write(
      Collection<? extends LayerEntry> entries,
      OutputStream blobSink,
      Compression compression,
      int level)
      throws IOException {
    return write(LayerWriter.preservingMtimes(), entries, blobSink, compression, level);
  }

  /**
   * Writes the layer blob of {@code entries} to {@code blobSink} in one pass: the tar is hashed as
   * it is produced (the diff_id), compressed, and the compressed bytes hashed and counted on their
   * way to the sink (the blob digest and size). Nothing is buffered beyond a few fixed-size
   * buffers. For {@link Compression#NONE} the tar is hashed once and diff_id equals the digest.
   *
   * <p>The sink is flushed, never closed: the caller commits or discards what it received. When
   * this method throws, the sink holds a partial blob to discard.
   *
   * @param level the compression level (see {@link Compression#compress(OutputStream, int)})
   * @throws IllegalArgumentException if the entries do not form a valid layer (see {@link
   *     LayerWriter#plan}) or the level is out of range
   * @throws ContentChangedException if a file changed size while it was written
   * @throws IOException if reading content or writing the blob fails
   */
  public static LayerDigests write(
      LayerWriter writer,
      Collection<? extends LayerEntry> entries,
      OutputStream blobSink,
      Compression compression,
      int level)
      throws IOException {
    Objects.requireNonNull(writer, "writer");
    Objects.requireNonNull(entries, "entries");
    return write(tar -> writer.write(entries, tar), blobSink, compression, level);
  }

  /**
   * As {@link #write(LayerWriter, Collection, OutputStream, Compression, int)}, for entries that
   * come sorted and are streamed through one at a time ({@link LayerWriter#writeSorted}).
   *
   * @throws IOException if reading content or writing the blob fails
   */
  public static LayerDigests writeSorted(
      LayerWriter writer,
      Iterable<? extends LayerEntry> sorted,
      OutputStream blobSink,
      Compression compression,
      int level)
      throws IOException {
    Objects.requireNonNull(writer, "writer");
    Objects.requireNonNull(sorted, "sorted");
    return write(tar -> writer.writeSorted(sorted, tar), blobSink, compression, level);
  }

  /** What writes the tar of a layer to the stream it is given. */
  private interface TarBody {
    void writeTo(OutputStream tar) throws IOException;
  }

  private static LayerDigests write(
      TarBody body, OutputStream blobSink, Compression compression, int level)
      throws IOException {
    Objects.requireNonNull(compression, "compression");
    DigestingOutputStream blob = new DigestingOutputStream(new KeepOpen(blobSink));
    String mediaType = compression.layerMediaType();
    if (compression == Compression.NONE) {
      body.writeTo(blob);
      Digest digest = blob.digest();
      return new LayerDigests(digest, digest, blob.count(), mediaType);
    }
    OutputStream compressor = compression.compress(blob, level);
    DigestingOutputStream tar = new DigestingOutputStream(compressor);
    try {
      body.writeTo(tar);
    } catch (IOException | RuntimeException e) {
      try {
        compressor.close(); // frees native state; the sink's partial blob is discarded anyway
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    compressor.close(); // ends the compressed stream; KeepOpen leaves the sink open
    return new LayerDigests(tar.digest(), blob.digest(), blob.count(), mediaType);
  }

  /** Passes writes and flushes through, but leaves the sink open on close. */
  private static final class KeepOpen extends FilterOutputStream {
    KeepOpen(OutputStream out) {
      super(Objects.requireNonNull(out, "blobSink"));
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
