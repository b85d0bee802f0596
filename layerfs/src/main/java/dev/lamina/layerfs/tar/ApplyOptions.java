package dev.lamina.layerfs.tar;

import dev.lamina.layerfs.posix.Posix;
import java.util.Objects;

/**
 * How to apply a layer: the on-disk whiteout format, whether to restore owners, and the limits
 * that bound the work a hostile layer can cause.
 *
 * @param whiteoutFormat how whiteouts become files (see {@link WhiteoutFormat})
 * @param restoreOwners whether to set each entry's numeric uid/gid (needs root)
 * @param maxEntries the most tar entries accepted
 * @param maxTotalBytes the most bytes read from the (uncompressed) stream
 * @param maxHeaderBytes the most bytes of metadata before one entry: PAX extended headers, GNU
 *     long names and header blocks together
 */
public record ApplyOptions(
    WhiteoutFormat whiteoutFormat,
    boolean restoreOwners,
    long maxEntries,
    long maxTotalBytes,
    int maxHeaderBytes) {

  public static final long DEFAULT_MAX_ENTRIES = 10_000_000L;
  public static final long DEFAULT_MAX_TOTAL_BYTES = 64L << 30;
  public static final int DEFAULT_MAX_HEADER_BYTES = 1 << 20;

  /** @throws IllegalArgumentException for a null format or a limit below one */
  public ApplyOptions {
    Objects.requireNonNull(whiteoutFormat, "whiteoutFormat");
    if (maxEntries < 1 || maxTotalBytes < 1 || maxHeaderBytes < 1024) {
      throw new IllegalArgumentException("limits must be positive (maxHeaderBytes >= 1024)");
    }
  }

  /** Default limits; owners are restored when running as root (euid 0). */
  public static ApplyOptions defaults(WhiteoutFormat whiteoutFormat) {
    return new ApplyOptions(
        whiteoutFormat,
        Posix.geteuid() == 0,
        DEFAULT_MAX_ENTRIES,
        DEFAULT_MAX_TOTAL_BYTES,
        DEFAULT_MAX_HEADER_BYTES);
  }

  public ApplyOptions withRestoreOwners(boolean restore) {
    return new ApplyOptions(whiteoutFormat, restore, maxEntries, maxTotalBytes, maxHeaderBytes);
  }

  public ApplyOptions withMaxEntries(long max) {
    return new ApplyOptions(whiteoutFormat, restoreOwners, max, maxTotalBytes, maxHeaderBytes);
  }

  public ApplyOptions withMaxTotalBytes(long max) {
    return new ApplyOptions(whiteoutFormat, restoreOwners, maxEntries, max, maxHeaderBytes);
  }

  public ApplyOptions withMaxHeaderBytes(int max) {
    return new ApplyOptions(whiteoutFormat, restoreOwners, maxEntries, maxTotalBytes, max);
  }
}
