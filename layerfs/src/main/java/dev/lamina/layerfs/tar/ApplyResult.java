package dev.lamina.layerfs.tar;

import java.util.List;
import java.util.Optional;

/**
 * What applying a layer did.
 *
 * @param entries tar entries processed (including whiteouts and skipped entries)
 * @param bytesWritten bytes of regular-file content written
 * @param bytesRead bytes read from the stream, to its real end (including anything after the
 *     end-of-archive blocks)
 * @param warnings entries or attributes skipped, one line each (sockets, AUFS metadata, xattrs the
 *     file system refused)
 * @param tree what the root holds afterwards, counted as {@link TreeTally#of} counts it, when the
 *     root was empty before (then everything in it is this layer's, counted as it was made and
 *     removed); empty otherwise
 */
public record ApplyResult(
    long entries, long bytesWritten, long bytesRead, List<String> warnings,
    Optional<TreeTally> tree) {
  public ApplyResult {
    warnings = List.copyOf(warnings);
  }
}
