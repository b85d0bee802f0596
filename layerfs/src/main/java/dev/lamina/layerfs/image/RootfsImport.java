package dev.lamina.layerfs.image;

import dev.lamina.layerfs.compress.Compression;
import dev.lamina.layerfs.digest.Digest;
import dev.lamina.layerfs.oci.ContainerConfig;
import dev.lamina.layerfs.oci.Descriptor;
import dev.lamina.layerfs.oci.ImageConfig;
import dev.lamina.layerfs.store.BlobInfo;
import dev.lamina.layerfs.store.BlobWriter;
import dev.lamina.layerfs.store.Images.ResolvedImage;
import dev.lamina.layerfs.store.Lease;
import dev.lamina.layerfs.store.Store;
import dev.lamina.layerfs.tar.DirectoryScanner;
import dev.lamina.layerfs.tar.LayerWriter;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import dev.lamina.layerfs.oci.Timestamps;
import java.util.List;
import java.util.Objects;

/**
 * {@code import}: a root filesystem (a directory, or a tar archive, possibly gzip or zstd
 * compressed) becomes a one-layer image, as {@code docker import} does.
 *
 * <p>A directory is written as a layer in Lamina's one way (sorted, numeric owners) that keeps the
 * files' own modification times, as {@code docker commit} and BuildKit keep them; with {@code
 * SOURCE_DATE_EPOCH} later times are clamped to it and the config's {@code created} time is the
 * epoch, so the same tree gives the same image on any machine. A tar archive is stored as it is
 * (decompressed): its bytes, times included, are the layer, as with docker.
 */
public final class RootfsImport {
  private final Store store;
  private final LayerWriter writer;
  private final Instant created;
  private ContainerConfig config = ContainerConfig.EMPTY;
  private String comment;

  private RootfsImport(Store store, LayerWriter writer, Instant created) {
    this.store = store;
    this.writer = writer;
    this.created = created;
  }

  /**
   * An import into {@code store}. {@code sourceDateEpoch} (seconds, or null) clamps a
   * directory's times to it and is the image's creation time; without it files keep their times
   * and the image gets the current time.
   *
   * @throws IllegalArgumentException if {@code sourceDateEpoch} is not a number of seconds
   */
  public static RootfsImport into(Store store, String sourceDateEpoch) {
    LayerWriter w = LayerWriter.withSourceDateEpoch(sourceDateEpoch);
    return new RootfsImport(store, w, w.epoch().orElseGet(Instant::now));
  }

  /** Sets the execution config (Cmd, Env, ...) of the new image. */
  public RootfsImport withConfig(ContainerConfig c) {
    this.config = Objects.requireNonNull(c);
    return this;
  }

  /** Sets the history comment (docker import's {@code --message}). */
  public RootfsImport withComment(String c) {
    this.comment = c;
    return this;
  }

  /**
   * Imports the directory {@code rootfs} and names the image {@code names}.
   *
   * @throws IOException if the tree cannot be read or the store written
   */
  public ResolvedImage fromDirectory(Path rootfs, List<String> names) throws IOException {
    // Past the page cache, as a build's layers: nothing reads the layer back at once.
    try (Lease lease = store.lease();
        BlobWriter blob = store.blobs().newWriter().withDirectWrites()) {
      // The layer is uncompressed: the blob is the tar, so the writer's digest is the diff_id.
      writer.writeSorted(DirectoryScanner.walk(rootfs, path -> true), blob);
      BlobInfo info = blob.commit();
      return write(info.descriptor(Compression.NONE.layerMediaType()), info.digest(), names);
    }
  }

  /**
   * Imports a tar archive read from {@code in} (plain, gzip or zstd) and names the image.
   *
   * @throws IOException if the stream cannot be read or the store written
   */
  public ResolvedImage fromTar(InputStream in, List<String> names) throws IOException {
    InputStream buffered = new BufferedInputStream(in, 1 << 16);
    Compression compression = Compression.detect(buffered);
    try (Lease lease = store.lease();
        BlobWriter blob = store.blobs().newWriter();
        InputStream tar = compression.decompress(buffered)) {
      // Stored decompressed: the blob is the tar, so the writer's digest is the diff_id.
      tar.transferTo(blob);
      BlobInfo info = blob.commit();
      return write(info.descriptor(Compression.NONE.layerMediaType()), info.digest(), names);
    }
  }

  private ResolvedImage write(Descriptor layer, Digest diffId, List<String> names)
      throws IOException {
    String when = Timestamps.format(created);
    ImageConfig c =
        ImageConfig.empty(when)
            .withConfig(config)
            .withLayer(
                diffId,
                new ImageConfig.History(when, "lamina import", null, comment, null));
    ResolvedImage image = store.images().write(c, List.of(layer), names.toArray(String[]::new));
    store.events().event(
        dev.lamina.layerfs.events.Event.now(
            dev.lamina.layerfs.events.Event.IMAGE, "import", image.id().toString(),
            image.names().isEmpty() ? java.util.Map.of() : java.util.Map.of("name", image.names().get(0))));
    return image;
  }
}
