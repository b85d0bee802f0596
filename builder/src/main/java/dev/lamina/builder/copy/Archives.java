package dev.lamina.builder.copy;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.tar.ApplyOptions;
import dev.lamina.layerfs.tar.LayerApplier;
import dev.lamina.layerfs.tar.WhiteoutFormat;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;

/**
 * The local archives ADD unpacks: tar files, plain or compressed with gzip, bzip2 or zstd,
 * recognised by their content (never by their name), as Docker does.
 */
public final class Archives {
  private static final int BLOCK = 512;

  private Archives() {}

  /**
   * Whether {@code file} is a tar archive, possibly compressed.
   *
   * @throws IOException if it cannot be read
   */
  public static boolean isArchive(Path file) throws IOException {
    try (InputStream in = open(file)) {
      byte[] header = in.readNBytes(BLOCK);
      return header.length == BLOCK && isTarHeader(header);
    } catch (IOException e) {
      // A file that merely starts like a compressed stream is copied as it is.
      return false;
    }
  }

  /**
   * Unpacks the archive {@code file} into the empty directory {@code target}, with the same
   * defences as image layers (no path leaves {@code target}, no link points out of it).
   *
   * @return the paths the archive names, cleaned and relative (the root left out): the other
   *     directories under {@code target} are only implied by its entries
   * @throws IOException if it cannot be read or holds a hostile entry
   */
  public static Set<String> unpack(Path file, Path target) throws IOException {
    Set<String> named = new HashSet<>();
    try (InputStream in = open(file)) {
      LayerApplier.apply(in, target, ApplyOptions.defaults(WhiteoutFormat.flatten()), name -> {
        String rel = Paths.clean(name).substring(1);
        if (!rel.isEmpty()) {
          named.add(rel);
        }
      });
    }
    return named;
  }

  private static InputStream open(Path file) throws IOException {
    InputStream raw =
        new BufferedInputStream(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), 65536);
    raw.mark(4);
    byte[] magic = raw.readNBytes(3);
    raw.reset();
    if (magic.length == 3 && magic[0] == 'B' && magic[1] == 'Z' && magic[2] == 'h') {
      return new BZip2CompressorInputStream(raw);
    }
    Compression c = Compression.detect(raw);
    return c.decompress(raw);
  }

  /** Whether a 512-byte block is a tar header: its checksum field matches its bytes. */
  static boolean isTarHeader(byte[] h) {
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (h[i] & 0xff);
    }
    String field = new String(h, 148, 8, java.nio.charset.StandardCharsets.US_ASCII)
        .replace('\0', ' ').trim();
    if (field.isEmpty()) {
      return false;
    }
    try {
      return Long.parseLong(field, 8) == sum;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
