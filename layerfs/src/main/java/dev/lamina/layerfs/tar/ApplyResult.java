package dev.lamina.layerfs.tar;

import java.util.List;

/**
 * What applying a layer did.
 *
 * @param entries tar entries processed (including whiteouts and skipped entries)
 * @param bytesWritten bytes of regular-file content written
 * @param bytesRead bytes read from the stream, to its real end (including anything after the
 *     end-of-archive blocks)
 * @param warnings entries or attributes skipped, one line each (sockets, AUFS metadata, xattrs the
 *     file system refused)
 */
public record ApplyResult(long entries, long bytesWritten, long bytesRead, List<String> warnings) {
  public ApplyResult {
    warnings = List.copyOf(warnings);
  }
}
