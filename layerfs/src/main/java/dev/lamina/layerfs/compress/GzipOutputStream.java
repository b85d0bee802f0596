package dev.lamina.layerfs.compress;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip writer whose output depends only on the input and the level: one member, modification
 * time 0, no file name, OS "unknown" (255), as Go's compress/gzip writes it. Unlike {@link
 * java.util.zip.GZIPOutputStream} it takes a compression level.
 */
final class GzipOutputStream extends FilterOutputStream {
  private final Deflater deflater;
  private final CRC32 crc = new CRC32();
  private final byte[] buf = new byte[64 * 1024];
  private long length;
  private boolean finished;
  private boolean closed;

  GzipOutputStream(OutputStream out, int level) throws IOException {
    super(out);
    this.deflater = new Deflater(level, true);
    out.write(header(level));
  }

  /** The fixed 10-byte member header; XFL says "best" for 9 and "fastest" for 1, as gzip does. */
  static byte[] header(int level) {
    int xfl = level == 9 ? 2 : level == 1 ? 4 : 0;
    return new byte[] {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, (byte) xfl, (byte) 255};
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (finished) {
      throw new IOException("gzip stream already finished");
    }
    if (len == 0) {
      return;
    }
    crc.update(b, off, len);
    length += len;
    deflater.setInput(b, off, len);
    while (!deflater.needsInput()) {
      drain(Deflater.NO_FLUSH);
    }
  }

  /** Ends the member (compressed data and trailer) without closing the stream below. */
  void finish() throws IOException {
    if (finished) {
      return;
    }
    finished = true;
    deflater.finish();
    while (!deflater.finished()) {
      drain(Deflater.NO_FLUSH);
    }
    out.write(trailer(crc.getValue(), length));
  }

  /** CRC-32 and the length modulo 2^32, little-endian. */
  static byte[] trailer(long crc, long length) {
    byte[] t = new byte[8];
    for (int i = 0; i < 4; i++) {
      t[i] = (byte) (crc >>> (8 * i));
      t[4 + i] = (byte) (length >>> (8 * i));
    }
    return t;
  }

  private void drain(int flush) throws IOException {
    int n = deflater.deflate(buf, 0, buf.length, flush);
    if (n > 0) {
      out.write(buf, 0, n);
    }
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      finish();
      out.close();
    } finally {
      deflater.end();
    }
  }
}
