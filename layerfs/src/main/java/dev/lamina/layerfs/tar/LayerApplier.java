package dev.lamina.layerfs.tar;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * Extracts an uncompressed layer tar onto a directory, treating every entry as hostile.
 *
 * <p>Each name, link target and parent is resolved as if chrooted at the root (see {@link
 * RootedPath}); nothing is written, linked, chowned, chmodded or removed outside it. Entries are
 * restored with their type, all twelve mode bits, numeric owner (when {@link
 * ApplyOptions#restoreOwners()}), mtime and {@code SCHILY.xattr.*} attributes; directories get
 * their mtime last, after their children are written. Whiteouts follow {@link
 * ApplyOptions#whiteoutFormat()}.
 *
 * <p>The stream is read to its real end, past the end-of-archive blocks, so that a digest computed
 * by the caller covers every byte. The caller decompresses (one level only) and closes it.
 */
public final class LayerApplier {
  private LayerApplier() {}

  /**
   * Applies one layer.
   *
   * @param uncompressedTar the layer's tar stream, not closed here
   * @param root an existing directory (for {@link WhiteoutFormat.Overlay}, an empty one)
   * @param options whiteout format, owners and limits
   * @return counts and warnings
   * @throws LayerFormatException when the layer is invalid or hostile (one line naming the entry);
   *     entries before it may already have been applied
   * @throws UnmappedOwnerException when an entry's owner is not mapped in this user namespace
   *     (one line naming the entry)
   * @throws IOException when reading the stream or writing the tree fails
   */
  public static ApplyResult apply(InputStream uncompressedTar, Path root, ApplyOptions options)
      throws IOException {
    return apply(uncompressedTar, root, options, name -> {});
  }

  /**
   * Applies one layer as {@link #apply(InputStream, Path, ApplyOptions)} does, telling {@code
   * names} the name of each entry, as the tar spells it, before the entry is applied: what the
   * tar named itself, as opposed to the parent directories its entries imply.
   *
   * @throws LayerFormatException when the layer is invalid or hostile
   * @throws UnmappedOwnerException when an entry's owner is not mapped in this user namespace
   * @throws IOException when reading the stream or writing the tree fails
   */
  public static ApplyResult apply(
      InputStream uncompressedTar, Path root, ApplyOptions options, Consumer<String> names)
      throws IOException {
    if (!Files.isDirectory(root)) {
      throw new IOException("not a directory: " + root);
    }
    RootedPath paths = new RootedPath(root.toRealPath());
    MeteredInputStream metered = new MeteredInputStream(uncompressedTar, options.maxTotalBytes());
    LayerTarReader reader = new LayerTarReader(metered, options.maxHeaderBytes());
    try (Extraction extraction = new Extraction(paths, options)) {
      return apply(reader, metered, extraction, root, options, names);
    }
  }

  private static ApplyResult apply(LayerTarReader reader, MeteredInputStream metered,
      Extraction extraction, Path root, ApplyOptions options, Consumer<String> names)
      throws IOException {
    long entries = 0;
    while (true) {
      EntryHeader header = reader.nextHeader();
      if (header == null) {
        break;
      }
      if (++entries > options.maxEntries()) {
        throw new LayerFormatException("more than " + options.maxEntries() + " entries");
      }
      names.accept(header.name());
      try {
        extraction.apply(header, reader);
      } catch (LayerFormatException | UnmappedOwnerException e) {
        throw e; // names its entry (for a small file, not always this one)
      } catch (java.nio.file.FileSystemLoopException e) {
        throw new LayerFormatException(header.name(), "too many levels of symbolic links");
      } catch (IOException e) {
        if (metered.isSourceFailure(e)) {
          throw e;
        }
        throw new IOException(
            "applying layer entry '"
                + LayerFormatException.printable(header.name())
                + "' in "
                + root
                + ": "
                + e.getMessage(),
            e);
      }
    }
    extraction.finish();
    metered.drain();
    return new ApplyResult(entries, extraction.bytesWritten(), metered.total(),
        extraction.warnings(), extraction.tree());
  }
}
