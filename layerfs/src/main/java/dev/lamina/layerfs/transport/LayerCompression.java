package dev.lamina.layerfs.transport;

import com.github.luben.zstd.ZstdInputStream;
import dev.lamina.layerfs.oci.MediaType;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** The compression of a layer, told by its first bytes; decompression is one level only. */
enum LayerCompression {
  NONE(MediaType.OCI_LAYER),
  GZIP(MediaType.OCI_LAYER_GZIP),
  ZSTD(MediaType.OCI_LAYER_ZSTD);

  private final String ociMediaType;

  LayerCompression(String ociMediaType) {
    this.ociMediaType = ociMediaType;
  }

  /** The OCI layer media type for this compression. */
  String ociMediaType() {
    return ociMediaType;
  }

  /** Peeks at {@code in} (which must support mark) to tell its compression. */
  static LayerCompression detect(BufferedInputStream in) throws IOException {
    in.mark(4);
    byte[] magic = in.readNBytes(4);
    in.reset();
    if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
      return GZIP;
    }
    if (magic.length == 4
        && (magic[0] & 0xff) == 0x28
        && (magic[1] & 0xff) == 0xb5
        && (magic[2] & 0xff) == 0x2f
        && (magic[3] & 0xff) == 0xfd) {
      return ZSTD;
    }
    return NONE;
  }

  /** {@code in} decompressed; closing the result closes {@code in}. */
  InputStream decompress(InputStream in) throws IOException {
    return switch (this) {
      case NONE -> in;
      case GZIP -> new GZIPInputStream(in, 64 * 1024);
      case ZSTD -> new ZstdInputStream(in);
    };
  }
}
